"""Parsing of what people type, with bounds checked before any arithmetic.

Every number is matched against a short pattern first (no exponent, a bounded number of
digits), so no input can make the parser or the arithmetic after it take unbounded time;
every text has a documented maximum. Refusals are ``invalid`` (422) for values in a body and
``bad_request`` (400) for query parameters.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from fractions import Fraction
from typing import Any

from review.errors import ReviewError, ReviewErrorCode

#: Maximum lengths, in characters (the README's security section lists them).
MAX_REASON = 2000
MAX_NOTE = 5000
MAX_ANSWER_NOTES = 2000
MAX_SHORT_TEXT = 200
MAX_FILENAME = 255
MAX_POINTS = 1000
MAX_FEE_CENTS = 100_000_000  # 1,000,000.00
#: Largest JSON body a review call accepts (notes and reasons are far smaller).
MAX_JSON_BODY = 64 * 1024
#: The queue's ``passed`` filter: the words it takes and what they mean.
PASSED = {"1": True, "true": True, "pass": True, "0": False, "false": False, "fail": False}

_POINTS = re.compile(r"(\d{1,4})(?:\.(\d{1,2}))?")
_MONEY = re.compile(r"(\d{1,7})(?:\.(\d{1,2}))?")


def _invalid(message: str) -> ReviewError:
    return ReviewError(ReviewErrorCode.INVALID, message)


def parse_points(value: Any, field: str = "Points") -> Fraction | None:
    """A number of points: up to four digits and two decimals, 0 to MAX_POINTS; None if blank."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise _invalid(f"{field} must be a number.")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _invalid(f"{field} must be a number.")
        value = repr(value)
    text = str(value).strip() if isinstance(value, str | int) else None
    match = _POINTS.fullmatch(text) if text is not None and len(text) <= 16 else None
    if match is None:
        raise _invalid(f"{field} must be a number like 3 or 2.5 (0 to {MAX_POINTS}).")
    points = Fraction(int(match[1])) + (
        Fraction(int(match[2]), 10 ** len(match[2])) if match[2] else 0
    )
    if points > MAX_POINTS:
        raise _invalid(f"{field} go from 0 to {MAX_POINTS}.")
    return points


def parse_money(value: Any, field: str = "The amount") -> int:
    """A non-negative amount with at most two decimals, in cents."""
    text = value.strip().replace(",", "") if isinstance(value, str) else None
    match = _MONEY.fullmatch(text) if text is not None and len(text) <= 16 else None
    if match is None:
        raise _invalid(f"{field}: enter an amount like 150.00 (0 or more, two decimals at most).")
    cents = int(Decimal(text or "0") * 100)
    if cents > MAX_FEE_CENTS:
        raise _invalid(f"{field} may be at most 1,000,000.00.")
    return cents


def parse_text(value: Any, field: str, maximum: int, required: bool = False) -> str:
    """A text of at most ``maximum`` characters (surrounding space removed)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _invalid(f"{field} must be text.")
    value = value.strip()
    if required and not value:
        raise _invalid(f"{field} is required.")
    if len(value) > maximum:
        raise _invalid(f"{field} may be at most {maximum} characters (it has {len(value)}).")
    return value


_YES = ("1", "true", "on", "yes")
_NO = ("", "0", "false", "off", "no")


def parse_flag(value: Any, field: str = "The value") -> bool:
    """A yes/no value as forms and JSON send it; anything else is refused."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _YES + _NO:
        return value.strip().lower() in _YES
    raise _invalid(f"{field} must be true or false.")


def query_int(args: Any, name: str, default: int, lo: int, hi: int) -> int:
    """An integer query parameter within [lo, hi]; anything else is 400 ``bad_request``."""
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    if not (isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 9):
        raise ReviewError(
            ReviewErrorCode.BAD_REQUEST, f"'{name}' must be a whole number from {lo} to {hi}."
        )
    number = int(raw)
    if not lo <= number <= hi:
        raise ReviewError(
            ReviewErrorCode.BAD_REQUEST, f"'{name}' must be a whole number from {lo} to {hi}."
        )
    return number


def query_choice(args: Any, name: str, choices: tuple[str, ...]) -> str | None:
    """A query parameter from a closed set, or None when absent."""
    raw = args.get(name)
    if raw is None or raw == "":
        return None
    if raw not in choices:
        raise ReviewError(
            ReviewErrorCode.BAD_REQUEST, f"'{name}' must be one of: {', '.join(choices)}."
        )
    return str(raw)


_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def printable_filename(name: str) -> str:
    """A file name as people may see it: its base name, normalised, without control or
    direction-override characters, at most MAX_FILENAME characters."""
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", name or ""))[-1]  # the base name
    kept = "".join(
        " " if ch == "\t" else ch
        for ch in name
        if unicodedata.category(ch) not in _UNSAFE_CATEGORIES or ch == "\t"
    )
    kept = " ".join(kept.split()).strip(" .")
    return kept[:MAX_FILENAME] or "upload"
