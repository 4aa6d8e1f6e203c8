"""Payment providers behind one small interface; card numbers are never stored."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Protocol

from review.errors import ReviewError, ReviewErrorCode
from review.models import Invoice


class PaymentProvider(Protocol):
    name: str

    def charge(self, invoice: Invoice, details: dict[str, str]) -> str:
        """Take the payment; return the provider's reference (never the card number)."""


_EXPIRY = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*$")
_POSTAL = re.compile(r"^\s*[A-Za-z]\d[A-Za-z]\s?\d[A-Za-z]\d\s*$")


def card_problems(details: dict[str, str], today: dt.date) -> None:
    """What a card payment needs, checked before the provider is asked: the name, the
    number (Luhn), the expiry (not past), the security code and the billing postal code."""
    number = "".join(ch for ch in details.get("card", "") if ch.isdigit())
    if not details.get("name", "").strip():
        raise ReviewError(ReviewErrorCode.INVALID, "Enter the name on the card.")
    if not 12 <= len(number) <= 19 or not _luhn(number):
        raise ReviewError(ReviewErrorCode.INVALID, "Enter the card number as printed on the card.")
    m = _EXPIRY.match(details.get("expiry", ""))
    month, year = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    year += 2000 if year < 100 else 0
    if not 1 <= month <= 12 or (year, month) < (today.year, today.month):
        raise ReviewError(
            ReviewErrorCode.INVALID, "Enter the card's expiry as MM/YY; it must not be past."
        )
    if not re.fullmatch(r"\d{3,4}", details.get("csc", "").strip()):
        raise ReviewError(
            ReviewErrorCode.INVALID, "Enter the 3 or 4 digit security code from the card."
        )
    if not _POSTAL.match(details.get("postal", "")):
        raise ReviewError(
            ReviewErrorCode.INVALID, "Enter the billing postal code (for example T2P 1J9)."
        )


def _luhn(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch) * (2 if i % 2 else 1)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


class TestProvider:
    """A card processor for tests and demos: 4242… succeeds, 4000 0000 0000 0002 is declined.
    ``charges`` counts the payments it took (a real provider's dashboard would show them)."""

    charges = 0

    name = "test"

    def charge(self, invoice: Invoice, details: dict[str, str]) -> str:
        card_problems(details, dt.date.today())
        number = "".join(ch for ch in details.get("card", "") if ch.isdigit())
        if number == "4000000000000002":
            raise ReviewError(ReviewErrorCode.INVALID, "The card was declined.")
        TestProvider.charges += 1
        return f"test_{secrets.token_hex(6)}"


class OfflineProvider:
    """Staff record a cheque or a transfer received by mail."""

    name = "offline"

    def charge(self, invoice: Invoice, details: dict[str, str]) -> str:
        reference = details.get("reference", "").strip()
        if not reference:
            raise ReviewError(ReviewErrorCode.INVALID, "Enter the cheque or transfer reference.")
        return reference[:100]


PROVIDERS: dict[str, PaymentProvider] = {"test": TestProvider(), "offline": OfflineProvider()}
