"""What a person reads after a build: a summary of the store, and progress while it runs."""

from __future__ import annotations

import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from typing import IO

from newscorpus.document import Document
from newscorpus.readers import ReadMeter
from newscorpus.store import Corpus

_BAR = {"novel": "·", "shared": "█", "meta": "m"}


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def article_map(segments, length: int, width: int = 40) -> str:
    """One character per ``length / width`` characters of the article: "█" shared, "m"
    metadata, "·" its own text (the kind covering most of that stretch).

    >>> from newscorpus.store import Segment
    >>> article_map([Segment(0, 5, "meta"), Segment(5, 15, "novel"), Segment(15, 20, "shared")],
    ...             20, width=4)
    'm··█'
    """
    if length == 0:
        return ""
    cells = []
    for i in range(width):
        lo, hi = i * length / width, (i + 1) * length / width
        best, best_len = "novel", -1.0
        for s in segments:
            overlap = min(s.end, hi) - max(s.start, lo)
            if overlap > best_len:
                best, best_len = s.kind, overlap
        cells.append(_BAR[best])
    return "".join(cells)


def summary(corpus: Corpus, path: str, *, top: int = 10, articles: int = 20) -> str:
    """A few lines saying what the build found, then the top blocks and a map of the first
    articles (█ shared block, m metadata, · the article's own text)."""
    s = corpus.stats
    lines = [
        f"{path}: {s['articles']:,} articles, {s['chars']:,} characters, built in "
        f"{s['seconds']:.1f} s",
        f"  {s['blocks']:,} shared blocks; {s['duplicates']:,} articles are copies of another; "
        f"{s['shared_share']:.1%} of the text is shared blocks, {s['meta_share']:.1%} metadata",
    ]
    blocks = corpus.blocks()
    if blocks:
        lines.append("")
        lines.append(f"blocks, most carried first{'' if len(blocks) <= top else f' (top {top})'}:")
        for b in blocks[:top]:
            dates = f"  {b.first_date}..{b.last_date}" if b.first_date else ""
            lines.append(
                f"  {b.id}  {b.articles:>4} articles  {b.variants:>3} variants{dates}  "
                f'"{_short(b.text, 60)}"'
            )
    lines.append("")
    lines.append("articles (█ shared block, m metadata, · own text):")
    shown = list(_first(corpus, articles))
    width = max((len(a.name) for a in shown), default=0)
    for a in shown:
        copy = f"  copy of {a.duplicate_of}" if a.duplicate_of else ""
        lines.append(f"  {a.name:<{width}}  {article_map(a.segments, len(a.text))}{copy}")
    if s["articles"] > len(shown):
        lines.append(f"  ... and {s['articles'] - len(shown):,} more")
    return "\n".join(lines)


def _first(corpus: Corpus, n: int):
    for i, article in enumerate(corpus.articles()):
        if i >= n:
            break
        yield article


class Progress:
    """What a build is doing, on one updating line of a terminal: articles read, MB, MB/s and,
    given a `ReadMeter` of the inputs (and the documents passed through `track`, if they are
    read in this process), the share read and the time left to read; then analysing; then
    articles written with the time left. An add or remove first shows the stored articles it
    takes up; the rate, share and time left of reading are then those of the new articles.
    Silent when disabled (``--quiet``, or output that is not a terminal).

    >>> import io
    >>> out = io.StringIO()
    >>> p = Progress(enabled=True, out=out, every=0.0)
    >>> p.update("writing", 50, 100, 10**6)
    >>> "writing 50/100 articles" in out.getvalue()
    True
    """

    def __init__(
        self,
        enabled: bool,
        out: IO[str] = sys.stderr,
        every: float = 0.5,
        meter: ReadMeter | None = None,
    ) -> None:
        self.enabled = enabled
        self.out = out
        self.every = every
        self.meter = meter
        self.started = time.perf_counter()
        self._stage_started = self.started
        self._stage = ""
        self._last = -1.0
        self._shown = False
        self._marks: deque[tuple[int, int]] = deque()
        self._position = 0
        self._tracked = False

    def track(self, docs: Iterable[Document]) -> Iterator[Document]:
        """Pass the documents through, noting where in the inputs each one ends: a build reads
        ahead of the articles it has finished, so the share read is taken at the last finished
        one."""
        self._tracked = True
        for count, doc in enumerate(docs, 1):
            if self.meter is not None and self.enabled:
                self._marks.append((count, self.meter.done))
            yield doc

    def update(self, stage: str, done: int, total: int | None, chars: int) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        if stage != self._stage:
            # The first stage began when the command did.
            self._stage_started = now if self._stage else self.started
            self._stage = stage
        elif now - self._last < self.every:
            return
        self._last = now
        elapsed = now - self.started
        spent = now - self._stage_started
        if stage == "stored":
            line = f"taking up the stored articles: {done:,}, {chars / 1e6:,.1f} MB"
        elif stage == "reading":
            line = f"reading: {done:,} articles, {chars / 1e6:,.1f} MB"
            if spent > 0.1:  # not at the first line of an add's reading: no rate yet
                line += f", {chars / 1e6 / spent:.1f} MB/s"
            while self._marks and self._marks[0][0] <= done:
                self._position = self._marks.popleft()[1]
            meter = self.meter
            if meter is not None and not self._tracked:  # read by an engine's workers
                self._position = meter.done
            if meter is not None and meter.total and self._position:
                share = min(self._position / meter.total, 1.0)
                left = spent * (1 - share) / share
                line += f", {share:.0%} of input, about {left:.0f} s left to read"
        elif stage == "writing" and total:
            left = spent / done * (total - done) if done else 0.0
            line = f"writing {done:,}/{total:,} articles, about {left:.0f} s left"
        else:
            line = f"{stage}: {done:,} articles, {chars / 1e6:,.1f} MB"
        line = f"\r  {line}, {elapsed:.0f} s elapsed"
        self.out.write(line.ljust(100))
        self.out.flush()
        self._shown = True

    def done(self) -> None:
        if self._shown:
            self.out.write("\r" + " " * 100 + "\r")
            self.out.flush()
