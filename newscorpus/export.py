"""Export a store: JSON lines (the public contract) or clean text for NLP.

JSON lines, one object per article, in input order::

    {"name": str, "text": str, "clean_text": str,
     "meta": {"date", "place", "source", "author", "title", "tags"},
     "duplicate_of": str | null,
     "segments": [{"start": int, "end": int, "kind": "novel" | "shared" | "meta",
                   "block": str | null}]}

``text`` is the original exactly; the segments cover it in order (character offsets, as Python
counts them: code points); ``block`` names the block of a "shared" segment. Keys are written in
this order, non-ASCII characters as themselves (UTF-8) except U+0085, U+2028 and U+2029, which
are escaped so that no line reader splits a record.

Clean text: the ``clean_text`` of every article that is not a copy of another, separated by a
line holding only a form feed (U+000C), which no paragraph of clean text contains.
"""

from __future__ import annotations

import json
from typing import IO

from newscorpus.store import Corpus

FORMATS = ("jsonl", "text")
_LINE_SEPARATORS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}
#: The line between two articles in text export.
TEXT_SEPARATOR = "\f\n"


def dumps_line(record: dict) -> str:
    r"""One JSON line: UTF-8 characters as themselves, except the three that some line readers
    take for line breaks (U+0085, U+2028, U+2029), which are escaped.

    >>> dumps_line({"text": "a\u2028b é"})
    '{"text": "a\\u2028b é"}'
    """
    return json.dumps(record, ensure_ascii=False).translate(_LINE_SEPARATORS)


def export_jsonl(corpus: Corpus, out: IO[str]) -> int:
    """Write every article as one JSON line; returns the number written."""
    n = 0
    for article in corpus.articles():
        out.write(dumps_line(article.to_dict()))
        out.write("\n")
        n += 1
    return n


def export_text(corpus: Corpus, out: IO[str]) -> int:
    """Write the clean text of every article that is not a copy; returns the number written."""
    n = 0
    for article in corpus.articles():
        if article.duplicate_of is not None:
            continue
        if n:
            out.write(TEXT_SEPARATOR)
        out.write(article.clean_text)
        out.write("\n")
        n += 1
    return n


def export(corpus: Corpus, out: IO[str], fmt: str = "jsonl") -> int:
    """Export in ``fmt`` ("jsonl" or "text")."""
    if fmt == "jsonl":
        return export_jsonl(corpus, out)
    if fmt == "text":
        return export_text(corpus, out)
    raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(FORMATS)}")
