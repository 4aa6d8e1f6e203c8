"""The page-action pattern in one place: run a domain action for a form post, then commit and
say what happened, or roll back and show the refusal (never a half-done change)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import flash

from ingest.errors import IngestError
from review.errors import ReviewError
from web.extensions import db


class PageAction:
    """What the action says when it succeeds, and what to do once it is committed."""

    def __init__(self) -> None:
        self.message: str | None = None
        self.after: list[Callable[[], None]] = []
        self.ok = False

    def say(self, message: str) -> None:
        self.message = message

    def then(self, effect: Callable[[], None]) -> None:
        """Run ``effect`` (an e-mail, say) only after the change is committed."""
        self.after.append(effect)


@contextmanager
def page_action() -> Iterator[PageAction]:
    action = PageAction()
    try:
        yield action
    except (ReviewError, IngestError) as e:
        db().rollback()
        flash(e.message, "error")
        return
    db().commit()
    action.ok = True
    for effect in action.after:
        effect()
    if action.message:
        flash(action.message, "info")
