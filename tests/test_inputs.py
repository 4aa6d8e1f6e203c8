"""Property tests: any input to the parsers is answered quickly with a value or a refusal."""

from __future__ import annotations

import time
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from review.errors import ReviewError, ReviewErrorCode
from review.inputs import (
    MAX_FILENAME,
    MAX_POINTS,
    parse_money,
    parse_points,
    parse_text,
    printable_filename,
    query_int,
)

ANYTHING = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=200),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.from_regex(r"-?\d{1,30}(\.\d{0,30})?([eE][-+]?\d{1,12})?", fullmatch=True),
)
FAST = settings(max_examples=400, deadline=200)


def _bounded(call):  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        result = call()
    except ReviewError as e:
        result = e
    assert time.perf_counter() - started < 0.05
    return result


@FAST
@given(ANYTHING)
def test_points_are_a_bounded_fraction_or_invalid(value: object) -> None:
    result = _bounded(lambda: parse_points(value))
    if isinstance(result, ReviewError):
        assert result.code == ReviewErrorCode.INVALID and result.message
    elif result is not None:
        assert isinstance(result, Fraction) and 0 <= result <= MAX_POINTS
        assert result.denominator in (1, 2, 4, 5, 10, 20, 25, 50, 100)


def test_points_accept_what_reviewers_type() -> None:
    assert parse_points("2.5") == Fraction(5, 2)
    assert parse_points(3) == 3 and parse_points(" 4 ") == 4 and parse_points(1.5) == Fraction(3, 2)
    assert parse_points("") is None and parse_points(None) is None
    for bad in ("1e-12000000", "Infinity", "-1", "1/2", "²", "0x10", True, 1e300):
        assert isinstance(_bounded(lambda b=bad: parse_points(b)), ReviewError), bad


@FAST
@given(ANYTHING)
def test_money_is_whole_cents_or_invalid(value: object) -> None:
    result = _bounded(lambda: parse_money(value))
    if not isinstance(result, ReviewError):
        assert isinstance(result, int) and 0 <= result <= 100_000_000


def test_money_examples() -> None:
    assert parse_money("150.00") == 15000 and parse_money("1,250.5") == 125050
    for bad in ("Infinity", "1e30", "-5", "NaN", "1.005", ""):
        assert isinstance(_bounded(lambda b=bad: parse_money(b)), ReviewError), bad


@FAST
@given(ANYTHING, st.integers(min_value=1, max_value=5000))
def test_text_is_bounded_text_or_invalid(value: object, maximum: int) -> None:
    result = _bounded(lambda: parse_text(value, "The note", maximum))
    if not isinstance(result, ReviewError):
        assert isinstance(result, str) and len(result) <= maximum


@FAST
@given(st.dictionaries(st.sampled_from(["page", "x"]), st.text(max_size=40), max_size=2))
def test_query_ints_are_in_range_or_bad_request(args: dict[str, str]) -> None:
    result = _bounded(lambda: query_int(args, "page", 1, 1, 100_000))
    if isinstance(result, ReviewError):
        assert result.code == ReviewErrorCode.BAD_REQUEST and result.http_status == 400
    else:
        assert 1 <= result <= 100_000


@FAST
@given(st.text(max_size=600))
def test_file_names_are_printable_and_short(name: str) -> None:
    clean = printable_filename(name)
    assert 0 < len(clean) <= MAX_FILENAME
    assert "/" not in clean and "\\" not in clean and "\x00" not in clean
    assert not any(ch in clean for ch in "\u202e\u202d\u200f\u200e\u2066\u2067\u2068\u2069")
    assert all(ch.isprintable() for ch in clean)
