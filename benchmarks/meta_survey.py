"""Survey what newscorpus.meta.extract finds in real corpora, to judge its false positives.

For each gzipped JSON-lines corpus (one article a line with ``id``, ``title``, ``date``,
``text``) it prints how many articles yield each field, how much text is marked as metadata,
how often an extracted title or date agrees with the corpus's own ``title``/``date`` field, and
a random sample of extracted values with the line they came from.

    .venv/bin/python benchmarks/meta_survey.py                    # ../shared/corpora/*.jsonl.gz
    .venv/bin/python benchmarks/meta_survey.py --samples 20 path/to/corpus.jsonl.gz
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import json
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from newscorpus.meta import extract

FIELDS = ("date", "place", "source", "author", "title", "tags")
DEFAULT_GLOB = str(Path(__file__).resolve().parents[2] / "shared" / "corpora" / "*.jsonl.gz")


def iter_articles(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def line_around(text: str, start: int) -> str:
    """The whole line that contains offset ``start``, shortened for printing."""
    line_start = max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1
    line_end = text.find("\n", start)
    line = text[line_start : line_end if line_end != -1 else len(text)].strip()
    return line if len(line) <= 110 else line[:107] + "..."


def survey(path: Path, samples: int, rng: random.Random) -> None:
    counts = dict.fromkeys(FIELDS, 0)
    examples: dict[str, list[tuple[str, str, str]]] = {field: [] for field in FIELDS}
    articles = meta_chars = text_chars = 0
    title_agrees = date_agrees = date_near = date_known = 0
    started = time.perf_counter()
    for article in iter_articles(path):
        text = article.get("text") or ""
        meta, spans = extract(text)
        articles += 1
        text_chars += len(text)
        meta_chars += sum(end - start for start, end in spans)
        values = meta.to_dict()
        for field in FIELDS:
            if values[field]:
                counts[field] += 1
                examples[field].append((article["id"], str(values[field]), _where(text, spans)))
        if meta.title and meta.title.strip() == (article.get("title") or "").strip():
            title_agrees += 1
        if meta.date and (own := _own_date(article)) is not None:
            date_known += 1
            gap = abs((datetime.date.fromisoformat(meta.date) - own).days)
            date_agrees += gap == 0
            date_near += gap <= 2
    elapsed = time.perf_counter() - started

    print(f"\n=== {path.name}: {articles} articles, {text_chars / 1e6:.1f} M chars")
    print(f"extract(): {text_chars / 1e6 / elapsed:.1f} M chars/s, ", end="")
    print(f"{meta_chars} chars marked as metadata ({100 * meta_chars / max(text_chars, 1):.2f}%)")
    for field in FIELDS:
        share = 100 * counts[field] / max(articles, 1)
        print(f"  {field:7} {counts[field]:6} ({share:5.1f}%)")
    if counts["title"]:
        print(f"  title equal to the corpus 'title' field: {title_agrees}/{counts['title']}")
    if date_known:
        print(
            f"  date vs the corpus 'date' field: {date_agrees}/{date_known} equal, "
            f"{date_near}/{date_known} within 2 days"
        )
    for field in FIELDS:
        chosen = rng.sample(examples[field], min(samples, len(examples[field])))
        if chosen:
            print(f"  -- {field} samples")
        for article_id, value, where in chosen:
            print(f"     {article_id:24} {value[:60]!r:64} <- {where!r}")


def _where(text: str, spans: list[tuple[int, int]]) -> str:
    return " | ".join(line_around(text, start) for start, _ in spans[:3])


def _own_date(article: dict) -> datetime.date | None:
    """The corpus's own date field, in the few shapes the corpora use, or None."""
    raw = str(article.get("date") or "").strip()
    months = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
    try:
        if len(raw) >= 10 and raw[4] == "-":  # 2018-07-15T11:31:57-04:00
            return datetime.date.fromisoformat(raw[:10])
        day, month, year = raw.split(" ")[0].split("-")  # Reuters: 13-MAR-1987 09:44:49.21
        return datetime.date(int(year), months.index(month) + 1, int(day))
    except ValueError:
        pass
    if raw.isdigit() and len(raw) in (5, 6):  # scrape dates as MMDDYY: 060119, 60119
        raw = raw.zfill(6)
        try:
            return datetime.date(2000 + int(raw[4:]), int(raw[:2]), int(raw[2:4]))
        except ValueError:
            return None
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help=f"corpora (default {DEFAULT_GLOB})")
    parser.add_argument("--samples", type=int, default=12, help="values shown per field")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sampling")
    args = parser.parse_args(argv)
    paths = args.paths or sorted(Path(DEFAULT_GLOB).parent.glob("*.jsonl.gz"))
    if not paths:
        print(f"no corpora found at {DEFAULT_GLOB}", file=sys.stderr)
        return 1
    for path in paths:
        survey(path, args.samples, random.Random(args.seed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
