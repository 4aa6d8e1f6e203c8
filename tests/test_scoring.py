"""Scoring: pass-rule edges compared exactly, and properties that must hold for any answers."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from review.answers import ExtractedAnswer
from review.flags import Circumstances, answer_flags, timing_flags
from review.protocol import Element, FieldRef, ProtocolVersion, Question
from review.scoring import AnswerValue, format_percent, score

REF = FieldRef("f", 1, (0.0, 0.0, 1.0, 1.0))


def version(elements: list[list[tuple[int, bool]]]) -> ProtocolVersion:
    """A protocol whose element i has questions of (points available, N/A allowed)."""
    els = tuple(
        Element(
            n,
            f"Element {n}",
            tuple(
                Question(f"{n}.{i}", n, "q", "D", pts, na, REF, REF, REF if na else None)
                for i, (pts, na) in enumerate(qs, start=1)
            ),
        )
        for n, qs in enumerate(elements, start=1)
    )
    return ProtocolVersion("T", "T-1", "t", "2025-01-01", els, 1, ((612.0, 792.0),))


def answers(*values: tuple[str, int | None, bool]) -> list[AnswerValue]:
    return [AnswerValue(q, None if a is None else Fraction(a), na) for q, a, na in values]


def test_exactly_80_percent_overall_passes_and_just_below_fails() -> None:
    v = version([[(100, False)], [(100, False)]])
    assert score(v, answers(("1.1", 80, False), ("2.1", 80, False))).passed
    below = version([[(10000, False)]])
    result = score(below, answers(("1.1", 7999, False)))  # 79.99%
    assert not result.passed and format_percent(result.overall.ratio) == "80.0"


def test_exactly_50_percent_in_one_element_passes_and_below_fails() -> None:
    v = version([[(10, False)], [(90, False)]])
    assert score(v, answers(("1.1", 5, False), ("2.1", 90, False))).passed  # 50%, 95%
    failing = score(v, answers(("1.1", 4, False), ("2.1", 90, False)))  # 40% in element 1
    assert failing.overall.ratio >= Fraction(4, 5) and not failing.passed


def test_na_removes_the_question_from_both_sides_and_all_na_element_has_nothing_to_fail() -> None:
    v = version([[(10, True), (10, True)], [(10, False)]])
    result = score(v, answers(("1.1", None, True), ("1.2", None, True), ("2.1", 9, False)))
    assert result.elements[0].tally.available == 0 and result.elements[0].passed
    assert format_percent(result.elements[0].tally.ratio) == "N/A"
    assert result.overall.available == 10 and result.passed


def test_na_where_the_form_does_not_allow_it_counts_zero_and_is_flagged() -> None:
    v = version([[(10, False), (10, False)]])
    result = score(v, answers(("1.1", None, True), ("1.2", 10, False)))
    assert result.overall.available == 20 and result.overall.awarded == 10
    flags = answer_flags(
        v,
        {
            "1.1": ExtractedAnswer.read("1.1", "", True, "", "text", 1.0),
            "1.2": ExtractedAnswer.read("1.2", "10", False, "", "text", 1.0),
        },
        0.8,
    )
    assert [f.code for f in flags] == ["na_not_allowed"]


def test_answer_flags_cover_each_problem() -> None:
    v = version([[(5, False), (5, False), (5, False), (5, False), (5, False)]])
    got = {
        a.question: a
        for a in [
            ExtractedAnswer.read("1.1", "7", False, "seen", "text", 1.0),
            ExtractedAnswer.read("1.2", "2.5", False, "seen", "text", 1.0),
            ExtractedAnswer.read("1.3", "", False, "", "text", 1.0),
            ExtractedAnswer.read("1.4", "3", False, "", "ocr", 0.5),
            ExtractedAnswer.read("1.5", "x7", False, "", "ocr", 0.9),
        ]
    }
    codes = sorted(f.code for f in answer_flags(v, got, 0.8))
    assert codes == sorted(
        [
            "points_above_max",
            "points_not_whole",
            "missing_answer",
            "reduced_without_notes",
            "low_confidence",
            "unreadable_points",
        ]
    )


def test_timing_rules_at_their_edges() -> None:
    import datetime as dt

    start = dt.date(2025, 9, 1)

    def codes(**kw: object) -> set[str]:
        return {f.code for f in timing_flags(Circumstances(**kw))}  # type: ignore[arg-type]

    assert "training_expired" in codes(training_completed_on=dt.date(2022, 9, 1), audit_start=start)
    assert "training_expired" not in codes(
        training_completed_on=dt.date(2022, 9, 2), audit_start=start
    )
    assert "data_gathering_too_long" not in codes(
        audit_start=start, audit_end=start + dt.timedelta(15)
    )
    assert "data_gathering_too_long" in codes(audit_start=start, audit_end=start + dt.timedelta(16))
    end = start + dt.timedelta(10)
    assert "submitted_late" not in codes(audit_end=end, submitted_on=end + dt.timedelta(21))
    assert "submitted_late" in codes(audit_end=end, submitted_on=end + dt.timedelta(22))


questions = st.lists(st.tuples(st.integers(1, 20), st.booleans()), min_size=1, max_size=6)


@st.composite
def scored(draw: st.DrawFn) -> tuple[ProtocolVersion, list[AnswerValue]]:
    v = version(draw(st.lists(questions, min_size=1, max_size=8)))
    out = []
    for q in v.questions:
        na = q.na_allowed and draw(st.booleans())
        awarded = (
            None
            if na
            else draw(
                st.one_of(
                    st.none(),
                    st.integers(-5, 40).map(Fraction),
                    st.fractions(0, 30, max_denominator=4),
                )
            )
        )
        out.append(AnswerValue(q.id, awarded, na))
    return v, out


@settings(max_examples=300, deadline=None)
@given(scored(), st.randoms())
def test_score_never_depends_on_order_and_never_exceeds_100_percent(case, rnd) -> None:  # type: ignore[no-untyped-def]
    v, values = case
    shuffled = list(values)
    rnd.shuffle(shuffled)
    a, b = score(v, values), score(v, shuffled)
    assert a == b
    for tally in [a.overall] + [e.tally for e in a.elements]:
        assert tally.ratio is None or 0 <= tally.ratio <= 1
    assert a.passed == (
        a.overall.ratio is not None
        and a.overall.ratio >= Fraction(4, 5)
        and all(e.tally.ratio is None or e.tally.ratio >= Fraction(1, 2) for e in a.elements)
    )
