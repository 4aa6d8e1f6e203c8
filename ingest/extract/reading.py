"""What every protocol reader returns, whatever the input."""

from __future__ import annotations

from dataclasses import dataclass, field

from review.answers import ExtractedAnswer


@dataclass
class Reading:
    method: str  # acroform | text | ocr
    answers: list[ExtractedAnswer]
    summary: dict[str, dict[str, str]] = field(default_factory=dict)
    cover: dict[str, str] = field(default_factory=dict)
    pages: dict[int, int] = field(default_factory=dict)  # blank form page -> uploaded page
    #: uploaded page -> quarter turns (counter-clockwise) that make its content upright
    turns: dict[int, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
