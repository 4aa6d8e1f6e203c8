"""The program's rules for registering a SECOR audit, as pure functions.

Each returns None when the rule is met, or a plain sentence saying what is wrong.
"""

from __future__ import annotations

import datetime as dt
import re

from review.names import same_person

TRAINING_YEARS = 3
MAX_EMPLOYEES = 10
MAX_GATHERING_DAYS = 15
SUBMIT_WITHIN_DAYS = 21
FULL_DOCUMENTATION_MONTHS = 12
MIN_DOCUMENTATION_MONTHS = 3


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def training_problem(completed_on: dt.date | None, on: dt.date) -> str | None:
    """The Safety Program Development course, or a refresher, within the last 3 years."""
    if completed_on is None:
        return (
            "Your assessor training is not on your profile: the Safety Program Development "
            "course (or a refresher within the last 3 years) is required."
        )
    if completed_on <= _years_before(on, TRAINING_YEARS):
        return (
            f"Your last assessor training ({completed_on.isoformat()}) is {TRAINING_YEARS} or "
            "more years old: complete a SECOR refresher course before registering."
        )
    return None


def training_date_problem(completed_on: dt.date | None, today: dt.date) -> str | None:
    """A training date is a day that has happened."""
    if completed_on is not None and completed_on > today:
        return f"The training date {completed_on.isoformat()} is in the future."
    return None


def start_problem(start: dt.date, today: dt.date) -> str | None:
    """The assessor registers each audit with the certifying body before its start date."""
    if start <= today:
        return (
            "An audit must be registered before its start date: choose a start date after "
            f"today ({today.isoformat()})."
        )
    return None


WCB_NUMBER = re.compile(r"^\d{4,12}$")
INDUSTRY_CODE = re.compile(r"^\d{4,6}$")


def numbers_problem(
    values: list[str], what: str, pattern: re.Pattern[str], shape: str
) -> str | None:
    """At least one number, each of the expected shape (spaces and hyphens aside)."""
    cleaned = [re.sub(r"[\s-]", "", v) for v in values if v.strip()]
    if not cleaned:
        return f"Choose or enter at least one {what}."
    bad = [v for v in cleaned if not pattern.match(v)]
    if bad:
        return f"{', '.join(bad)}: a {what} is {shape}."
    return None


def since_problem(text: str, today: dt.date) -> str | None:
    """ "With company since": a year (2015) or a date (2015-04-01), not in the future."""
    text = text.strip()
    try:
        day = (
            dt.date(int(text), 1, 1)
            if re.fullmatch(r"\d{4}", text)
            else dt.date.fromisoformat(text)
        )
    except ValueError:
        return "Enter the year (2015) or the date (2015-04-01) the employee started."
    if day > today:
        return "The employee cannot have started in the future."
    if day.year < 1900:
        return "Enter the year the employee started."
    return None


def worksite_employees_problem(text: str, company_employees: int | None) -> str | None:
    """A worksite's employees: a whole number, no more than the company has."""
    if not re.fullmatch(r"\d{1,3}", text.strip()):
        return "Enter the number of employees at the worksite as a whole number."
    if company_employees is not None and int(text) > company_employees:
        return f"The company has {company_employees} employees in all."
    return None


def employees_problem(count: int | None) -> str | None:
    if count is None or count < 1:
        return "Enter the number of employees."
    if count > MAX_EMPLOYEES:
        return (
            f"A SECOR is for companies of {MAX_EMPLOYEES} or fewer employees; with {count} "
            "employees the company needs a COR audit instead."
        )
    return None


def gathering_problem(start: dt.date | None, end: dt.date | None) -> str | None:
    if start is None or end is None:
        return "Enter the audit start and end dates."
    if end < start:
        return "The audit end date is before its start date."
    days = (end - start).days
    if days > MAX_GATHERING_DAYS:
        return (
            f"Data gathering may take at most {MAX_GATHERING_DAYS} days; {start.isoformat()} "
            f"to {end.isoformat()} is {days} days."
        )
    return None


def due_date(end: dt.date) -> dt.date:
    """The audit must reach the certifying body within 21 days after data gathering ends."""
    return end + dt.timedelta(days=SUBMIT_WITHIN_DAYS)


def submitted_late(end: dt.date, submitted: dt.date) -> bool:
    return submitted > due_date(end)


def documentation_outcome(months: int | None) -> tuple[str | None, str | None]:
    """(problem, note): 12 months for a full SECOR; 3 to 12 months only for a one-year SECOR."""
    if months is None or months < 0:
        return "Enter how many months of documentation the company has.", None
    if months < MIN_DOCUMENTATION_MONTHS:
        return (
            f"At least {MIN_DOCUMENTATION_MONTHS} months of documentation (policies and "
            "records) are needed before an audit.",
            None,
        )
    if months < FULL_DOCUMENTATION_MONTHS:
        return None, (
            f"With {months} months of documentation the audit is eligible for a "
            "one-year SECOR only."
        )
    return None, None


def roster_warnings(
    declared: int | None, roster: list[dict[str, str]], chart_people: list[str] | None
) -> list[str]:
    """Warnings (not refusals) for step 5: counts that differ, names missing either way."""
    out = []
    if declared is not None and len(roster) != declared:
        out.append(
            f"The number of employees you have entered so far ({len(roster)}) does not "
            f"equal the number of employees entered in step 1 ({declared})."
        )
    if chart_people:
        names = [r.get("name", "") for r in roster if r.get("name", "").strip()]
        missing = [p for p in chart_people if not any(same_person(p, n) for n in names)]
        extra = [n for n in names if not any(same_person(n, p) for p in chart_people)]
        if missing:
            out.append(
                "On the organisation chart but not in the roster: " + ", ".join(missing) + "."
            )
        if extra:
            out.append("In the roster but not on the organisation chart: " + ", ".join(extra) + ".")
    return out
