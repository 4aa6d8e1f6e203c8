"""Payment providers behind one small interface; card numbers are never stored."""

from __future__ import annotations

import secrets
from typing import Protocol

from review.errors import ReviewError, ReviewErrorCode
from review.models import Invoice


class PaymentProvider(Protocol):
    name: str

    def charge(self, invoice: Invoice, details: dict[str, str]) -> str:
        """Take the payment; return the provider's reference (never the card number)."""


class TestProvider:
    """A card processor for tests and demos: 4242… succeeds, 4000 0000 0000 0002 is declined."""

    name = "test"

    def charge(self, invoice: Invoice, details: dict[str, str]) -> str:
        number = "".join(ch for ch in details.get("card", "") if ch.isdigit())
        if not details.get("name", "").strip():
            raise ReviewError(ReviewErrorCode.INVALID, "Enter the name on the card.")
        if len(number) < 12:
            raise ReviewError(ReviewErrorCode.INVALID, "Enter the card number.")
        if number == "4000000000000002":
            raise ReviewError(ReviewErrorCode.INVALID, "The card was declined.")
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
