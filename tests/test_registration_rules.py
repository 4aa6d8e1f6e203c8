"""The program's registration rules at their edges."""

from __future__ import annotations

import datetime as dt

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
