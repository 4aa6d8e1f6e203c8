"""The program's registration rules at their edges."""

from __future__ import annotations

import datetime as dt

import pytest

from review import registration_rules as rules

DAY = dt.date(2026, 6, 15)


def test_training_exactly_three_years_old_is_expired_one_day_less_is_current() -> None:
    assert rules.training_problem(dt.date(2023, 6, 15), DAY) is not None
    assert rules.training_problem(dt.date(2023, 6, 16), DAY) is None
    assert rules.training_problem(None, DAY) is not None
    assert rules.training_problem(dt.date(2023, 2, 28), dt.date(2026, 2, 28)) is not None


def test_ten_employees_qualify_eleven_do_not() -> None:
    assert rules.employees_problem(10) is None
    assert "10 or fewer" in rules.employees_problem(11)
    assert rules.employees_problem(0) is not None


def test_fifteen_days_of_data_gathering_is_allowed_sixteen_is_not() -> None:
    start = dt.date(2026, 9, 1)
    assert rules.gathering_problem(start, start + dt.timedelta(days=15)) is None
    assert "at most 15 days" in rules.gathering_problem(start, start + dt.timedelta(days=16))
    assert rules.gathering_problem(start, start - dt.timedelta(days=1)) is not None


def test_due_within_21_days_after_data_gathering() -> None:
    end = dt.date(2026, 9, 15)
    assert rules.due_date(end) == dt.date(2026, 10, 6)
    assert not rules.submitted_late(end, end + dt.timedelta(days=21))
    assert rules.submitted_late(end, end + dt.timedelta(days=22))


def test_documentation_months() -> None:
    assert rules.documentation_outcome(12) == (None, None)
    problem, note = rules.documentation_outcome(11)
    assert problem is None and "one-year SECOR" in note
    assert rules.documentation_outcome(3)[0] is None
    assert rules.documentation_outcome(2)[0] is not None


def test_roster_warnings_name_who_is_missing_either_way() -> None:
    roster = [{"name": "Dana Whitford"}, {"name": "Sam Okafor"}, {"name": "New Hire"}]
    warnings = rules.roster_warnings(10, roster, ["Dana Whitford", "Sam Okafor", "Priya Nair"])
    assert "(3) does not equal the number of employees entered in step 1 (10)" in warnings[0]
    assert "Priya Nair" in warnings[1] and "New Hire" in warnings[2]
    assert rules.roster_warnings(3, roster, None) == []


TODAY = dt.date(2026, 11, 26)


def test_an_audit_is_registered_before_its_start_date() -> None:
    assert rules.start_problem(TODAY + dt.timedelta(days=1), TODAY) is None
    assert "before its start date" in (rules.start_problem(TODAY, TODAY) or "")
    assert rules.start_problem(TODAY - dt.timedelta(days=1), TODAY)


def test_a_training_date_has_happened() -> None:
    assert rules.training_date_problem(TODAY, TODAY) is None
    assert rules.training_date_problem(None, TODAY) is None
    assert "future" in (rules.training_date_problem(TODAY + dt.timedelta(days=1), TODAY) or "")


@pytest.mark.parametrize(
    "values,ok",
    [
        (["1234567"], True),
        (["123-4567"], True),
        (["1234", "123456789012"], True),
        ([], False),
        ([" "], False),
        (["AB-1234"], False),
        (["123"], False),
        (["1234567890123"], False),
    ],
)
def test_wcb_numbers_are_numbers(values: list[str], ok: bool) -> None:
    problem = rules.numbers_problem(values, "WCB number", rules.WCB_NUMBER, "4 to 12 digits")
    assert (problem is None) is ok, problem


@pytest.mark.parametrize(
    "code,ok",
    [("06101", True), ("4211", True), ("123", False), ("1234567", False), ("abcde", False)],
)
def test_industry_codes_are_codes(code: str, ok: bool) -> None:
    problem = rules.numbers_problem([code], "industry code", rules.INDUSTRY_CODE, "4 to 6 digits")
    assert (problem is None) is ok


@pytest.mark.parametrize(
    "since,ok",
    [
        ("2015", True),
        ("2026-11-26", True),
        ("2026-11-27", False),
        ("2027", False),
        ("next year", False),
        ("1850", False),
        ("", False),
    ],
)
def test_with_company_since_is_a_past_year_or_date(since: str, ok: bool) -> None:
    assert (rules.since_problem(since, TODAY) is None) is ok


@pytest.mark.parametrize(
    "count,declared,ok",
    [
        ("0", 5, True),
        ("5", 5, True),
        ("6", 5, False),
        ("abc", 5, False),
        ("2.5", 5, False),
        ("-1", 5, False),
    ],
)
def test_a_worksites_employees_are_a_whole_number_within_the_company(
    count: str, declared: int, ok: bool
) -> None:
    assert (rules.worksite_employees_problem(count, declared) is None) is ok
