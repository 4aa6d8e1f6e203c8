"""Extraction: one parser per kind of input, chosen by a registry."""

from __future__ import annotations

from ingest.extract.registry import extract_document

__all__ = ["extract_document"]
