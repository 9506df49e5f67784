"""Speed, memory and quality at 10 MB, 100 MB and 1 GB: newscorpus and its peers, one command.

    .venv/bin/python benchmarks/suite.py [--sizes 10MB 100MB 1GB] [--workers 1 2] [--seed 0]
                                         [--peers exact datasketch rensa datatrove] [--write]

For each size, generates the labelled corpus (`scale.py`; reused when one made by the same code
and seed exists), runs ``newscorpus build INPUT -o STORE --quiet --workers N`` and then
``newscorpus export`` as fresh processes, scores the export against the labels, then runs each
peer (`peers.py`) on the same file, up to the largest size it can handle. ``--write`` puts the
machine, the table, the ratios, the issue's targets (met or not, computed from this run) and a
plot (benchmarks/suite.png, needs the ``bench`` extra) into benchmarks/README.md.

Every command runs in a wrapper process of its own: wall time, and peak RSS as the larger of the
largest single process (getrusage of the wrapper's children, as speed.py) and the process with
all its workers added up (sampled every 0.2 s from /proc, as PSS: the pages forked processes
share are counted once).
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from itertools import combinations
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402
import quality  # noqa: E402
import scale  # noqa: E402

HERE = Path(__file__).resolve().parent
README = HERE / "README.md"
PLOT = HERE / "suite.png"
_BEGIN, _END = "<!-- suite:begin -->", "<!-- suite:end -->"


# -- running a command -----------------------------------------------------------------------

_WRAPPER = r"""
import glob, json, os, resource, subprocess, sys, tempfile, threading, time

def memory(p):
    # PSS: pages shared between processes (a forked worker's copy-on-write pages) counted
    # once in all; RSS where the system has no smaps_rollup.
    try:
        with open(f"/proc/{p}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    with open(f"/proc/{p}/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

def tree_rss(pid):
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += memory(p)
            for path in glob.glob(f"/proc/{p}/task/*/children"):
                with open(path) as f:
                    todo.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, ValueError):
            pass
    return total

def sample(pid, done, peak):
    while not done.wait(0.2):
        peak[0] = max(peak[0], tree_rss(pid))

err = tempfile.TemporaryFile()
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=err)
done, peak = threading.Event(), [0]
sampler = threading.Thread(target=sample, args=(child.pid, done, peak))
sampler.start()
code = child.wait()
seconds = time.perf_counter() - started
done.set()
sampler.join()
err.seek(max(0, err.seek(0, 2) - 4000))
largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "largest": largest, "tree": peak[0], "code": code,
                  "stderr": err.read().decode("utf-8", "replace")}))
"""


@attrs.frozen
class Run:
    """Wall time and peak memory of one command."""

    seconds: float
    rss_mb: float


class CommandFailed(RuntimeError):
    """A measured command exited non-zero; the message is the last line of its stderr."""


def measure(command: list[str]) -> Run:
    """Run ``command`` in a wrapper process; raise `CommandFailed` with its stderr if it fails."""
    out = subprocess.run(
        [sys.executable, "-c", _WRAPPER, *command], check=True, capture_output=True, text=True
    ).stdout
    result = json.loads(out)
    if result["code"] != 0:
        sys.stderr.write(result["stderr"])
        last = [line for line in result["stderr"].splitlines() if line.strip()][-1:]
        raise CommandFailed(f"exit status {result['code']}: {''.join(last) or 'no message'}")
    return Run(result["seconds"], max(result["largest"], result["tree"]) / 1e6)


# -- scoring against the labels --------------------------------------------------------------


def _overlaps(start: int, end: int, spans: list) -> tuple[int, object]:
    """Characters of [start, end) covered by ``spans`` (sorted, disjoint; ``[s, e, label]``)
    and the label of the span that covers most of it."""
    covered, best, best_len = 0, None, 0
    for s, e, *label in spans:
        overlap = min(e, end) - max(s, start)
        if overlap > 0:
            covered += overlap
            if overlap > best_len:
                best, best_len = (label[0] if label else None), overlap
    return covered, best


class ParagraphScore:
    """The shared-paragraph metrics of quality.py (`quality.score`), accumulated one article at
    a time so that a 1 GB corpus never needs to be held: a labelled background or furniture
    piece is found when more than half of its characters are shared; ARI compares the
    labelled paragraph of each such piece with the cluster it was put in."""

    def __init__(self, shared_labels: set) -> None:
        self.shared_labels = shared_labels
        self.tp = self.fp = self.fn = 0
        self.story_total = self.story_kept = self.bg_total = self.bg_removed = 0
        self.truth: list = []
        self.predicted: list = []

    def add(self, index: int, labels: scale.Labels, shared: list, removed: list) -> None:
        """One article: ``shared`` spans ``[start, end, cluster]`` and ``removed`` spans (left
        out of clean text), each sorted and disjoint."""
        for k, (start, end, kind, ref) in enumerate(labels.pieces):
            length = end - start
            covered, cluster = _overlaps(start, end, shared)
            gone, _ = _overlaps(start, end, removed)
            is_bg = kind != scale.STORY and (kind, ref) in self.shared_labels
            hit = covered > length / 2
            self.tp += hit and is_bg
            self.fp += hit and not is_bg
            self.fn += (not hit) and is_bg
            if is_bg:
                self.bg_total += length
                self.bg_removed += gone
                self.truth.append((kind, ref))
                found = cluster if hit and cluster is not None else ("none", index, k)
                self.predicted.append(found)
            else:
                self.story_total += length
                self.story_kept += length - gone

    def result(self) -> dict:
        tp, fp, fn = self.tp, self.fp, self.fn
        return {
            "para_precision": tp / (tp + fp) if tp + fp else 0.0,
            "para_recall": tp / (tp + fn) if tp + fn else 0.0,
            "ari": quality.adjusted_rand_index(self.truth, self.predicted),
            "story_kept": self.story_kept / self.story_total,
            "background_removed": self.bg_removed / self.bg_total,
        }


def duplicate_score(stories: list[int], topics: list[tuple], groups: list[list[int]]) -> dict:
    """quality.py's near-duplicate metrics: pairs within predicted groups (article indices)
    against pairs of articles of one story; false duplicates among background-only pairs
    (articles of different stories that carry a common topic). ``stories`` and ``topics`` are
    each article's, in corpus order."""
    predicted = {pair for g in groups for pair in combinations(sorted(g), 2)}
    by_story: dict[int, list[int]] = {}
    for i, story in enumerate(stories):
        by_story.setdefault(story, []).append(i)
    true = {pair for g in by_story.values() for pair in combinations(g, 2)}
    hit = len(predicted & true)
    false_bg = sum(
        1 for a, b in predicted if stories[a] != stories[b] and set(topics[a]) & set(topics[b])
    )
    return {
        "dup_precision": hit / len(predicted) if predicted else 1.0,
        "dup_recall": hit / len(true) if true else 1.0,
        "false_dups_bg_only": false_bg,
    }


def _groups(duplicate_of: dict[str, str | None], index: dict[str, int]) -> list[list[int]]:
    members: dict[str, list[int]] = {}
    for name, of in duplicate_of.items():
        members.setdefault(of or name, []).append(index[name])
    return [g for g in members.values() if len(g) > 1]


def score_newscorpus(paths: scale.Paths, export: Path) -> dict:
    """Scores of a newscorpus export (JSON lines, input order) against the labels."""
    para = ParagraphScore(scale.shared_labels(paths.labels))
    stories, topics, index = [], [], {}
    duplicate_of: dict[str, str | None] = {}
    lossless = 0
    with open(export, encoding="utf-8") as out, open(paths.corpus, encoding="utf-8") as corpus:
        for i, (line, original, lab) in enumerate(
            zip(out, corpus, scale.iter_labels(paths.labels))
        ):
            art = json.loads(line)
            if art["name"] != lab.name:
                raise ValueError(f"export line {i + 1} is {art['name']}, labels say {lab.name}")
            segments = art["segments"]
            shared = [[s["start"], s["end"], s["block"]] for s in segments if s["kind"] == "shared"]
            removed = [[s["start"], s["end"]] for s in segments if s["kind"] != "novel"]
            para.add(i, lab, shared, removed)
            stories.append(lab.story)
            topics.append(lab.topics)
            index[lab.name] = i
            duplicate_of[lab.name] = art["duplicate_of"]
            lossless += art["text"] == json.loads(original)["text"]
    result = para.result() | duplicate_score(stories, topics, _groups(duplicate_of, index))
    result["lossless"] = lossless / len(stories)
    return result


def score_peer(peer: str, paths: scale.Paths, answer: Path) -> dict:
    """Scores of a peer's answer (see peers.py) against the labels."""
    if peers.KIND[peer] == "documents":
        groups = json.loads(answer.read_text(encoding="utf-8"))["groups"]
        labels = [(lab.story, lab.topics) for lab in scale.iter_labels(paths.labels)]
        return duplicate_score([s for s, _ in labels], [t for _, t in labels], groups)
    para = ParagraphScore(scale.shared_labels(paths.labels))
    with open(answer, encoding="utf-8") as f:
        for i, (line, lab) in enumerate(zip(f, scale.iter_labels(paths.labels))):
            spans = json.loads(line)
            para.add(i, lab, spans, spans)
    return para.result()


# -- the runs --------------------------------------------------------------------------------


@attrs.frozen
class Row:
    """One line of the table."""

    size: str
    method: str
    workers: int
    mb: float
    articles: int
    seconds: float
    rss_mb: float
    scores: dict
    export_seconds: float | None = None


def run_newscorpus(size: str, paths: scale.Paths, meta: dict, workers: int) -> Row:
    """Build, then export, each a fresh process; scores from the export."""
    with tempfile.TemporaryDirectory() as tmp:
        store, export = Path(tmp) / "store.db", Path(tmp) / "export.jsonl"
        nc = [sys.executable, "-m", "newscorpus"]
        build = measure(
            [*nc, "build", str(paths.corpus), "-o", str(store), "--quiet"]
            + ["--workers", str(workers)]
        )
        exported = measure([*nc, "export", str(store), "-o", str(export)])
        scores = score_newscorpus(paths, export)
    return Row(
        size,
        "newscorpus",
        workers,
        meta["text_mb"],
        meta["articles"],
        build.seconds,
        build.rss_mb,
        scores,
        exported.seconds,
    )


def run_peer(peer: str, size: str, paths: scale.Paths, meta: dict) -> Row:
    with tempfile.TemporaryDirectory() as tmp:
        answer = Path(tmp) / "answer.jsonl"
        script = str(HERE / "peers.py")
        run = measure([sys.executable, script, peer, str(paths.corpus), str(answer)])
        scores = score_peer(peer, paths, answer)
    return Row(
        size,
        peers.NAMES[peer],
        1,
        meta["text_mb"],
        meta["articles"],
        run.seconds,
        run.rss_mb,
        scores,
    )


def runs(
    args: argparse.Namespace, failures: list[str], done: set[tuple[str, str, int]]
) -> Iterator[tuple[Row, dict]]:
    """Every row of the suite, with the meta of its corpus, as each finishes; rows whose
    ``(size, method, workers)`` is in ``done`` are skipped. A peer that fails (not installed,
    say) is reported in ``failures`` and the suite goes on."""
    for size in args.sizes:
        paths, meta = scale.ensure(size, args.seed)
        print(f"{size}: {meta['articles']:,} articles, {meta['text_mb']:.1f} MB", flush=True)
        largest = size == max(args.sizes, key=scale.parse_size)
        for workers in args.largest_workers if largest and args.largest_workers else args.workers:
            if (size, "newscorpus", workers) not in done:
                yield run_newscorpus(size, paths, meta, workers), meta
        for peer in args.peers:
            if (size, peers.NAMES[peer], 1) in done:
                continue
            if scale.parse_size(size) <= scale.parse_size(peers.MAX_SIZE[peer]):
                try:
                    yield run_peer(peer, size, paths, meta), meta
                except CommandFailed as error:
                    failures.append(f"{peers.NAMES[peer]} at {size} failed: {error}")
                    print(failures[-1], file=sys.stderr, flush=True)


# -- the report ------------------------------------------------------------------------------

# The quality columns and their formats are quality.py's.
_QUALITY = quality._COLUMNS


def machine() -> str:
    """One line on the machine and software the suite ran on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown CPU",
    )
    mem = next(
        int(line.split()[1]) / 1024**2
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    versions = []
    for package in ("numpy", "datasketch", "rensa", "datatrove"):
        try:
            versions.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{package} not installed")
    commit = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=HERE, capture_output=True, text=True
    ).stdout.strip()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"{datetime.date.today().isoformat()}, {cpu}, {os.cpu_count()} cores, {mem:.0f} GB RAM, "
        f"Python {platform.python_version()}, {', '.join(versions)}, newscorpus at {commit}, "
        f"load average at the end {load}"
    )


def table(rows: list[Row]) -> str:
    head = ["size", "method", "workers", "MB", "seconds", "MB/s", "articles/s", "peak RSS MB"]
    head += ["export s"] + [title for _, title, _ in _QUALITY]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r.size, r.method, str(r.workers), f"{r.mb:.1f}", f"{r.seconds:.1f}"]
        cells += [f"{r.mb / r.seconds:.2f}", f"{r.articles / r.seconds:,.0f}", f"{r.rss_mb:,.0f}"]
        cells.append(f"{r.export_seconds:.1f}" if r.export_seconds is not None else "—")
        cells += [fmt.format(r.scores[k]) if k in r.scores else "—" for k, _, fmt in _QUALITY]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def ratios(rows: list[Row]) -> str:
    """Each peer's time and memory over newscorpus's on one worker, same size, same run."""
    ours = {r.size: r for r in rows if r.method == "newscorpus" and r.workers == 1}
    lines = [
        "| size | peer | time ÷ newscorpus (1 worker) | peak RSS ÷ newscorpus (1 worker) |",
        "|---|---|---|---|",
    ]
    for r in rows:
        if r.method != "newscorpus" and r.size in ours:
            base = ours[r.size]
            lines.append(
                f"| {r.size} | {r.method} | {r.seconds / base.seconds:.2f} | "
                f"{r.rss_mb / base.rss_mb:.2f} |"
            )
    return "\n".join(lines)


def _ours(rows: list[Row], size: str, workers: int | None = None) -> list[Row]:
    return [
        r
        for r in rows
        if r.method == "newscorpus" and r.size == size and workers in (None, r.workers)
    ]


def targets(rows: list[Row]) -> list[tuple[str, str, str]]:
    """The issue's targets: (target, measured, met), computed from the rows."""
    sizes = sorted({r.size for r in rows}, key=scale.parse_size)
    largest = sizes[-1] if sizes else None
    out = []
    for workers, goal in ((1, 10.0), (2, 18.0)):
        found = _ours(rows, largest, workers) if largest else []
        if found:
            speed = found[0].mb / found[0].seconds
            out.append(
                (
                    f"≥ {goal:g} MB/s with {workers} worker{'s' * (workers > 1)}",
                    f"{speed:.2f} MB/s at {largest}",
                    _met(speed >= goal),
                )
            )
        else:
            out.append((f"≥ {goal:g} MB/s with {workers} workers", "not measured", "—"))
    for size, limit in (("100MB", 2000), ("1GB", 6000)):
        found = _ours(rows, size)
        if found:
            peak = max(r.rss_mb for r in found)
            out.append(
                (f"peak RSS ≤ {limit:,} MB at {size}", f"{peak:,.0f} MB", _met(peak <= limit))
            )
        else:
            out.append((f"peak RSS ≤ {limit:,} MB at {size}", "not measured", "—"))
    for workers in sorted({r.workers for r in rows if r.method == "newscorpus"}):
        small, big = _ours(rows, "100MB", workers), _ours(rows, "1GB", workers)
        goal = f"1 GB in ≤ 12 × the time of 100 MB ({workers} worker{'s' * (workers > 1)})"
        if small and big:
            ratio = big[0].seconds / small[0].seconds
            out.append((goal, f"{ratio:.1f} ×", _met(ratio <= 12)))
        else:
            out.append((goal, "not measured", "—"))
    return out


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def plot(rows: list[Row], path: Path) -> None:
    """Seconds and peak RSS against corpus size, one line per method and worker count."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib import ticker
    except ImportError:
        sys.exit("the plot needs matplotlib: .venv/bin/pip install -e '.[bench]'")
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    series: dict[str, list[Row]] = {}
    for r in rows:
        label = r.method if r.method != "newscorpus" else f"newscorpus, {r.workers} worker(s)"
        series.setdefault(label, []).append(r)
    for label, points in series.items():
        points.sort(key=lambda r: r.mb)
        mb = [r.mb for r in points]
        left.plot(mb, [r.seconds for r in points], marker="o", label=label)
        right.plot(mb, [r.rss_mb for r in points], marker="o", label=label)
    plain = ticker.FuncFormatter(lambda value, _: f"{value:g}")
    for ax, title in ((left, "seconds (newscorpus: build)"), (right, "peak RSS (MB)")):
        ax.set_xscale("log")
        ax.set_yscale("log")
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_formatter(plain)
            axis.set_minor_formatter(ticker.NullFormatter())
        ax.set_xlabel("corpus MB")
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def section(rows: list[Row], metas: dict, seed: int, failures: list[str]) -> str:
    """The README section: how to run, the machine, the table, ratios, targets, the plot."""
    corpora = "; ".join(
        f"{size}: {m['articles']:,} articles, {m['text_mb']:.1f} MB, "
        f"{m['background_share']:.0%} background or furniture, "
        f"{m['duplicate_pairs']:,} near-duplicate pairs, generated in {m['seconds']:.0f} s "
        f"with {m['peak_rss_mb']:.0f} MB peak"
        for size, m in metas.items()
    )
    target_lines = ["| target (issue 4) | measured | |", "|---|---|---|"]
    target_lines += [f"| {t} | {v} | {ok} |" for t, v, ok in targets(rows)]
    limits = ", ".join(f"{peers.NAMES[p]} up to {m}" for p, m in peers.MAX_SIZE.items())
    prose = [
        "`suite.py` generates labelled corpora of any size from the real ones (`scale.py`: "
        "every story is a real one with its words mapped through a substitution of its "
        "own, so that stories share no text; real Reuters backgrounds planted as "
        "`synth.py` does), builds and exports each with newscorpus in fresh processes, "
        "scores the export against the labels, and runs the peers of `peers.py` on the "
        "same file. Rerun: `.venv/bin/python benchmarks/suite.py --sizes 10MB 100MB 1GB "
        "--workers 1 2 --largest-workers 2 --write` (`pip install -e '.[bench]'` first; "
        "about 45 minutes here; without `--largest-workers 2` the 1 GB build also runs on one "
        "worker).",
        f"Machine: {machine()}. Seed {seed}. Corpora: {corpora}.",
        _sharing(metas),
        "Quality columns as in the Quality section above (quality.py's definitions, "
        "computed one article at a time). MB is article text (UTF-8); newscorpus's seconds "
        "are its build, its export is timed apart. Peak RSS is the larger of the largest "
        "single process and of the process and its workers added up (sampled every 0.2 s, "
        "as PSS, so that the pages forked processes share count once).",
        f"Peers run on one process, each only up to the size it can handle here ({limits}).",
        *(f"Not in the table: {f}." for f in failures),
    ]
    return "\n\n".join(
        [
            "## Scale suite",
            *(textwrap.fill(p, 100, break_on_hyphens=False) for p in prose),
            table(rows),
            "Ratios to newscorpus, same size, same run:",
            ratios(rows),
            "\n".join(target_lines),
            f"![time and peak memory against corpus size]({PLOT.name})",
        ]
    )


def _sharing(metas: dict) -> str:
    """What the generator measured of its own stories: they must share no text."""
    parts = [
        f"{size}: {m['story_sharing']['3-grams in another story']:.1%} of the word 3-grams of "
        f"{m['story_sharing']['paragraphs']:,} story paragraphs are found in another story, "
        f"highest Jaccard between two story paragraphs {m['story_sharing']['max pair Jaccard']:.2f}"
        for size, m in metas.items()
    ]
    return "Generated stories share no text (`scale.py`'s own check): " + "; ".join(parts) + "."


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    block = f"{_BEGIN}\n{text}\n{_END}"
    if _BEGIN in readme:
        head, rest = readme.split(_BEGIN, 1)
        readme = head + block + rest.split(_END, 1)[1]
    else:
        readme = readme.rstrip("\n") + "\n\n" + block + "\n"
    README.write_text(readme, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", default=["10MB", "100MB", "1GB"])
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument(
        "--largest-workers",
        nargs="+",
        type=int,
        help="worker counts for the largest size only (default: those of --workers)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--peers", nargs="*", default=list(peers.RUNNERS), choices=peers.RUNNERS)
    parser.add_argument("--write", action="store_true", help="update benchmarks/README.md")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the rows of the last run (benchmarks/data/suite-seedN.json), run the rest",
    )
    args = parser.parse_args()
    for size in args.sizes:
        scale.parse_size(size)
    results = scale.DATA / f"suite-seed{args.seed}.json"
    rows: list[Row] = []
    if args.resume and results.exists():
        rows = [Row(**r) for r in json.loads(results.read_text(encoding="utf-8"))]
    metas = {size: scale.ensure(size, args.seed)[1] for size in {r.size for r in rows}}
    failures: list[str] = []
    done = {(r.size, r.method, r.workers) for r in rows}
    for row, meta in runs(args, failures, done):
        rows.append(row)
        metas[row.size] = meta
        print(table([row]).splitlines()[-1], flush=True)
        # Saved as they finish, so that --resume can go on after a failure.
        results.write_text(json.dumps([attrs.asdict(r) for r in rows], indent=1), encoding="utf-8")
    print(table(rows))
    print(ratios(rows))
    for goal, value, ok in targets(rows):
        print(f"{goal}: {value} ({ok})")
    if args.write:
        text = section(rows, metas, args.seed, failures)  # the commit, before the plot dirties it
        plot(rows, PLOT)
        write_readme(text)


if __name__ == "__main__":
    main()
