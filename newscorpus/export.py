"""Export a store: JSON lines (the public contract) or clean text for NLP.

JSON lines, one object per article, in input order::

    {"name": str, "text": str, "clean_text": str,
     "meta": {"date", "place", "source", "author", "title", "tags"},
     "duplicate_of": str | null,
     "segments": [{"start": int, "end": int, "kind": "novel" | "shared" | "meta",
                   "block": str | null}]}

``text`` is the original exactly; the segments cover it in order (character offsets, as Python
counts them: code points); ``block`` names the block of a "shared" segment. Keys are written in
this order, non-ASCII characters as themselves (UTF-8).

Clean text: the ``clean_text`` of every article that is not a copy of another, separated by a
line holding only a form feed (U+000C), which no paragraph of clean text contains.
"""

from __future__ import annotations

import json
from typing import IO

from newscorpus.store import Corpus

FORMATS = ("jsonl", "text")
#: The line between two articles in text export.
TEXT_SEPARATOR = "\f\n"


def export_jsonl(corpus: Corpus, out: IO[str]) -> int:
    """Write every article as one JSON line; returns the number written."""
    n = 0
    for article in corpus.articles():
        out.write(json.dumps(article.to_dict(), ensure_ascii=False))
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
