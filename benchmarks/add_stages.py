"""Where an add's time goes, stage by stage, from its own progress reports.

    .venv/bin/python benchmarks/add_stages.py STORE INPUT [--workers 1]

Adds ``INPUT`` to ``STORE`` (which it changes: give it a copy) in this process and prints, for
each stage the add reports (`newscorpus.build.add`'s ``progress``: "stored", taking up the
stored articles; "reading", the new ones; "analysing", once, when the analysis starts;
"writing", the segments), the seconds from the start of the add to its last report, and the
seconds since the previous stage. The time from "analysing" to the end of "writing" is the
analysis, the block rows and the segments; "writing" alone is the span of its reports.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newscorpus.build import add  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("store")
    parser.add_argument("input")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    marks: dict[str, list[float]] = {}

    def progress(stage: str, done: int, total: int | None, chars: int) -> None:
        now = time.perf_counter()
        marks.setdefault(stage, [now, now])[1] = now

    started = time.perf_counter()
    add(args.store, args.input, workers=args.workers, progress=progress).close()
    ended = time.perf_counter()
    print(f"add: {ended - started:.2f} s")
    previous = started
    for stage, (first, last) in marks.items():
        print(
            f"{stage:10s} ends at {last - started:7.2f} s; {last - previous:6.2f} s since the "
            f"previous stage ended, {last - first:6.2f} s between its first and last report"
        )
        previous = last
    print(f"then closing the store (sync, move into place): {ended - previous:.2f} s")


if __name__ == "__main__":
    main()
