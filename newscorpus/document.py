"""The record every reader yields: one article's name, text and source fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs


def _freeze_fields(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return dict(value or {})


@attrs.frozen
class Document:
    """One article as read from its source.

    ``name`` identifies it within a corpus (a container header, a path relative to a folder, an
    ``id`` field); ``text`` is its exact text; ``fields`` holds whatever else the source carried
    (a JSON line's ``title``, ``date``, ``dateline`` ...), unchanged.

    >>> Document("a.txt", "Hello.").name
    'a.txt'
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    text: str = attrs.field(validator=attrs.validators.instance_of(str), repr=False)
    fields: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_freeze_fields, eq=False, repr=False
    )


@attrs.frozen
class HeldDocument(Document):
    """A document whose text stayed where it was read (a Dask worker, for a Parquet output):
    ``text`` is empty and ``length`` is its text's length."""

    length: int = attrs.field(default=0, validator=attrs.validators.instance_of(int))


def text_length(document: Document) -> int:
    """The length of ``document``'s text, where it is (`HeldDocument`) or here."""
    return document.length if isinstance(document, HeldDocument) else len(document.text)
