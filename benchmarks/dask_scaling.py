"""The Dask engine against the local one, on the same corpus, with 1 and 2 workers.

    .venv/bin/python benchmarks/dask_scaling.py [--size 10MB] [--workers 1 2] [--seed 0]

Each run is a fresh process building the scale corpus of ``--size`` (benchmarks/scale.py; made if
missing) with ``build(Inputs(...), engine=...)``: the local engine with N processes, then the
Dask engine on a new local cluster of N worker processes (the cluster's start is not timed, as
a real cluster is running already). Per run it prints the build's time by stage (reading, that
is reading and preparing, then analysing, then writing), the peak RSS of the process that
builds and of its largest worker, and for Dask what the workers did: pieces, the seconds their
tasks took, the seconds the building process waited for them, and the bytes their results
came to (Dask's ``sizeof``). ``--engines dask-parquet`` builds a Parquet dataset on the Dask
engine, where the texts stay on the workers: it prints too the bytes of what the analysis asked
of the texts there, and of what came from the workers' shared runs (the blocks' carriers,
each block's most frequent wording and all the wordings of blocks joined: how many wordings
of how many the variants are). Every export is checked to be byte-identical to the first
run's.

The last lines turn the measured rates into the estimate of benchmarks/README.md ("The Dask
engine"): the time of a build of 100 GB and of 1 TB on N workers, and the memory it needs. The
analysis after the LSH is split by the building process's CPU seconds in it (which more
workers do not shorten; the local cluster's scheduler runs in that process and counts there
too) and the rest of its time, in which it waited for the workers (taken as shared evenly
among them). The
building process's memory is a line fitted to its peaks at every size measured so far (each
run's figures are kept in benchmarks/data/dask-scaling-SIZE.json), as it holds a baseline that
does not grow with the corpus: run two sizes or more (``--size 10MB``, then ``--size 100MB``)
for it; with one size, the peak over the size is taken as the slope, an upper bound.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


class PeakRSS:
    """Peak resident memory of this process and of each of its descendants, sampled every
    0.1 s, and each descendant's when first seen (a worker idle, before the build)."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.own = 0
        self.children: dict[int, int] = {}
        self.first: dict[int, int] = {}
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._done.wait(0.1):
            self.own = max(self.own, self.me.memory_info().rss)
            for child in self.me.children(recursive=True):
                try:
                    rss = child.memory_info().rss
                except psutil.Error:
                    continue
                self.children[child.pid] = max(self.children.get(child.pid, 0), rss)
                self.first.setdefault(child.pid, rss)

    def stop(self) -> tuple[float, float, float]:
        """Peak MB of this process and of its largest descendant, and that one's when first
        seen."""
        self._done.set()
        self._thread.join()
        largest = max(self.children, key=self.children.__getitem__, default=None)
        if largest is None:
            return self.own / 1e6, 0.0, 0.0
        return self.own / 1e6, self.children[largest] / 1e6, self.first[largest] / 1e6


def one(corpus: Path, engine: str, workers: int) -> dict:
    """Build ``corpus`` once; what it took."""
    from newscorpus import build
    from newscorpus.dask_engine import DaskEngine, dask_client
    from newscorpus.export import export_jsonl
    from newscorpus.readers import Inputs

    inputs = Inputs([corpus], name_field="name")
    marks: dict[str, float] = {}
    cpu_marks: dict[str, float] = {}  # this process's CPU seconds, all its threads

    def progress(stage: str, done: int, total: int | None, chars: int) -> None:
        marks.setdefault(stage, time.perf_counter())
        cpu_marks.setdefault(stage, time.process_time())

    # This process's CPU seconds in the LSH (`DaskEngine._verified_pairs`): the analysis's
    # own, in this process, are the analysis's less those.
    lsh_cpu = [0.0]
    verified = DaskEngine._verified_pairs

    def verifying(self, *args, **kwargs):
        before = time.process_time()
        try:
            return verified(self, *args, **kwargs)
        finally:
            lsh_cpu[0] += time.process_time() - before

    DaskEngine._verified_pairs = verifying

    with tempfile.TemporaryDirectory(dir=ROOT / "benchmarks" / "data") as folder:
        store = Path(folder) / ("store.parquet" if engine == "dask-parquet" else "store.db")
        stats: dict = {}
        if engine.startswith("dask"):
            with dask_client(workers) as client:
                client.wait_for_workers(workers)
                dask = DaskEngine(client)
                memory = PeakRSS()
                started, cpu_started = time.perf_counter(), time.process_time()
                corpus_ = build(inputs, store, engine=dask, progress=progress)
                seconds, cpu_ended = time.perf_counter() - started, time.process_time()
                own, largest, idle = memory.stop()
                stats = dict(dask.stats)
        else:
            memory = PeakRSS()
            started, cpu_started = time.perf_counter(), time.process_time()
            corpus_ = build(inputs, store, workers=workers, progress=progress)
            seconds, cpu_ended = time.perf_counter() - started, time.process_time()
            own, largest, idle = memory.stop()
        out = io.StringIO()
        export_jsonl(corpus_, out)
        corpus_.close()
    ended = started + seconds
    stages = {
        "reading": marks.get("analysing", ended) - started,
        "analysing": marks.get("writing", ended) - marks.get("analysing", ended),
        "writing": ended - marks.get("writing", ended),
    }
    analysing, writing = (cpu_marks.get(stage, cpu_ended) for stage in ("analysing", "writing"))
    cpu = {
        "reading": analysing - cpu_started,
        "analysing": writing - analysing,
        "writing": cpu_ended - writing,
        "lsh": lsh_cpu[0],
    }
    return {
        "engine": engine,
        "workers": workers,
        "seconds": seconds,
        "stages": stages,
        "cpu": cpu,
        "client_mb": own,
        "largest_worker_mb": largest,
        "largest_worker_idle_mb": idle,
        "dask": stats,
        "export": hashlib.sha256(out.getvalue().encode()).hexdigest(),
    }


def fitted(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """The least-squares line ``(intercept, slope)`` through ``points`` (size, peak), or None
    where they are fewer than two sizes.

    >>> [round(v, 3) for v in fitted([(10.0, 177.0), (100.0, 315.0), (1000.0, 1022.0)])]
    [199.056, 0.826]
    """
    sizes = {x for x, _ in points}
    if len(sizes) < 2:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    slope = sum((x - mx) * (y - my) for x, y in points) / sum((x - mx) ** 2 for x, _ in points)
    return my - slope * mx, slope


def builder_points(engine: str, workers: int) -> list[tuple[float, float]]:
    """(input MB, peak MB of the building process) of every run of ``engine`` on ``workers``
    kept in benchmarks/data/dask-scaling-*.json, one per size."""
    points = {}
    for path in sorted((ROOT / "benchmarks" / "data").glob("dask-scaling-*.json")):
        kept = json.loads(path.read_text())
        for run in kept["runs"]:
            if run["engine"] == engine and run["workers"] == workers:
                points[round(kept["mb"], 1)] = run["client_mb"]
    return sorted(points.items())


def estimate(mb: float, runs: list[dict], engine: str = "dask") -> str:
    """The arithmetic of the README's estimate, from the run of ``engine`` ("dask": a SQLite
    store; "dask-parquet": a Parquet dataset, which the workers write) with the most workers.

    Every rate is taken as linear in the corpus, which makes the times a lower bound: the
    analysis grew 12.1 times from 100 MB to 1 GB (benchmarks/README.md, "Scale suite").
    """
    from newscorpus.dask_engine import _GROUP_BYTES, _bands_per_round

    dask = max((r for r in runs if r["engine"] == engine), key=lambda r: r["workers"])
    s, n = dask["dask"], dask["workers"]
    stages = dask["stages"]
    parquet = engine == "dask-parquet"
    prepare = mb / s["task_seconds"]  # MB/s of one worker reading and preparing
    # This process taking results up: the reading stage but its waiting for the workers (a
    # Parquet build waits for every piece as its units are numbered there).
    own = stages["reading"] - s["waited_seconds"] - s.get("numbering_seconds", 0.0)
    take = mb / own
    lsh = mb / (s["pair_seconds"] * n)  # MB/s of one worker on the LSH (wall time x workers)
    # The rest of the analysis: this process's own CPU seconds in it (with the local cluster's
    # scheduler, which runs in this process: more than this process alone), which more
    # workers do not shorten, and the rest of its time, in which this process waited for the
    # workers (for a Parquet build, the copies' verdicts, the runs, their cuts and wordings),
    # as if shared evenly among them. A run without CPU seconds (measured before they were)
    # takes all of it as this process's.
    rest = stages["analysing"] - s["pair_seconds"]
    cpu = dask.get("cpu")
    own_analysis = min(rest, cpu["analysing"] - cpu["lsh"]) if cpu else rest
    analyse = mb / own_analysis
    waited = rest - own_analysis
    analyse_workers = mb / (waited * n) if waited > 0 else math.inf  # MB/s of one worker
    # Writing: by this process to one SQLite file, or by every worker its parts.
    write = mb / (stages["writing"] * (n if parquet else 1))
    results = s["received_bytes"] / 1e6 / mb  # bytes sent to this process per input byte
    entry = s["band_entry_bytes"]
    shuffled = s["band_entries"] * entry / 1e6 / mb  # band entries per input byte
    bands, rounds = 64, s["rounds"]
    held = s["band_entries"] / bands * 128 * 2 / 1e6 / mb  # kept signatures per input byte
    # The candidates go from their first units' groups to their seconds' with each first
    # unit's signature and word count once (`_attach`): as measured, all rounds.
    verified = s["attached_bytes"] / 1e6 / mb  # per input byte
    # The building process: a baseline and a slope fitted over the sizes measured, or, from
    # this run alone, its peak over the size as the slope (an upper bound).
    points = builder_points(engine, n)
    line = fitted(points) or (0.0, dask["client_mb"] / mb)
    client_base, client = line
    # The largest worker's peak, less what it held idle before the build, per input MB of
    # its share (1/n of the input): the modelled figure below leaves out what a worker holds
    # besides the LSH's data (for a Parquet build, its pieces' texts and units).
    idle = dask.get("largest_worker_idle_mb", 0.0)
    worker = (dask["largest_worker_mb"] - idle) / (mb / n)
    lines = [
        f"measured on {mb:.1f} MB with the Dask engine on {n} workers"
        f"{', to Parquet' if parquet else ''}:",
        f"  a worker reads and prepares {prepare:.2f} MB/s (its tasks' time)",
        f"  the building process takes results up at {take:.2f} MB/s (its own time)",
        f"  the LSH on the workers: {lsh:.2f} MB/s per worker ({s['pair_seconds']:.1f} s)",
        f"  the rest of the analysis: {analyse:.2f} MB/s in the building process (its CPU "
        f"seconds, {own_analysis:.1f} s), {analyse_workers:.2f} MB/s per worker (the "
        f"building process waiting, {waited:.1f} s)",
        f"  writing {'its parts: ' if parquet else 'the store: '}{write:.2f} MB/s"
        f"{' per worker' if parquet else ''}",
        f"  sent to the building process: {results:.2f} bytes per input byte",
        f"  shuffled: {shuffled:.2f} bytes of band entries per input byte ({entry} B each, "
        f"{rounds} rounds of {-(-bands // rounds)} bands)",
        f"  signatures held on the workers: {held:.2f} bytes per input byte",
        f"  verifying: {s['candidates']:,} candidates sent with their first units' signatures, "
        f"{verified:.2f} bytes per input byte ({s['groups']} groups, {s['parts']} parts)",
        f"  building process peak RSS: {client_base:.0f} MB + {client:.3f} MB per input MB"
        + (
            " (fitted to " + ", ".join(f"{y:.0f} MB at {x:g} MB" for x, y in points) + ")"
            if len(points) > 1
            else f" ({dask['client_mb']:.0f} MB over {mb:.1f} MB: measure a second size to fit)"
        ),
        f"  largest worker peak RSS: {worker:.2f} MB per input MB of its share, "
        f"above {idle:.0f} MB idle",
    ]
    for size_gb in (100, 1000):
        size = size_gb * 1000.0  # MB
        for workers in (8, 64, 512):
            reading = max(size / (workers * prepare), size / take)
            writing = size / (write * (workers if parquet else 1))
            analysis = size / analyse + size / (workers * analyse_workers)
            total = reading + size / (workers * lsh) + analysis + writing
            # GB, one round: the signatures, the band entries (three copies while sorted),
            # the candidates with signatures attached, in as many rounds as the engine makes
            # for that many units on that many workers.
            units = s["band_entries"] / bands * size / mb
            per_round = _bands_per_round(int(units), entry, workers, bands)
            share = per_round / bands
            per_worker = (held + (3 * shuffled + verified) * share) * size / workers / 1000
            # The tasks of a round (`DaskEngine._verified_pairs`): a map per group, a reduce
            # per part, a getitem per (group, part) twice, an attach and a verify per group,
            # a getitem per (group, group) at most; what passed, per verifying task its
            # counts and its split by group, a getitem per (group, group) and a join per group.
            parts = 2 * workers
            groups = max(parts, math.ceil(size * 1e6 * held / _GROUP_BYTES))
            tasks = 6 * groups + 2 * parts + 2 * groups * parts + 2 * groups * groups
            lines.append(
                f"  {size_gb:>5} GB on {workers:>3} workers: reading {reading / 3600:.1f} h "
                f"({'workers' if size / (workers * prepare) > size / take else 'builder'}-bound), "
                f"LSH {size / (workers * lsh) / 3600:.1f} h, analysis "
                f"{analysis / 3600:.1f} h, writing {writing / 3600:.1f} h: "
                f"total >= {total / 3600:.1f} h; per worker >= {per_worker:.1f} GB "
                f"(measured peak: {(idle + worker * size / workers) / 1000:.1f} GB); "
                f"builder >= {(client_base + size * client) / 1000:.0f} GB; {groups:,} groups, "
                f"<= {tasks:,} tasks a round"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="10MB")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", nargs="+", type=int, default=[1, 2])
    parser.add_argument(
        "--engines", nargs="+", default=["local", "dask"], choices=["local", "dask", "dask-parquet"]
    )
    parser.add_argument(
        "--one", nargs=3, metavar=("CORPUS", "ENGINE", "WORKERS"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(Path(args.one[0]), args.one[1], int(args.one[2]))))
        return
    paths, meta = scale.ensure(args.size, args.seed)
    mb = paths.corpus.stat().st_size / 1e6
    print(
        f"corpus {paths.corpus.name}: {meta['articles']:,} articles, {mb:.1f} MB; "
        f"{os.cpu_count()} cores"
    )
    runs = []
    for engine in args.engines:
        for workers in args.workers:
            out = subprocess.run(
                [sys.executable, __file__, "--one", str(paths.corpus), engine, str(workers)],
                capture_output=True,
                text=True,
                check=True,
            )
            run = json.loads(out.stdout.strip().splitlines()[-1])
            runs.append(run)
            st, d = run["stages"], run["dask"]
            extra = (
                f"; {d['pieces']} pieces, task {d['task_seconds']:.1f} s, waited "
                f"{d['waited_seconds']:.1f} s, results {d['received_bytes'] / 1e6:.2f} MB, "
                f"pairs whose facts were judged there {d.get('facts_pairs', 0):,}, "
                f"from the shared runs {d.get('block_summary_bytes', 0) / 1e6:.2f} MB (wordings "
                f"{d.get('block_wordings_here', 0):,} of {d.get('variants_written', 0):,}); "
                f"LSH on the workers {d.get('pair_seconds', 0):.1f} s, "
                f"the building process's CPU in the analysis {run['cpu']['analysing']:.1f} s "
                f"(in the LSH {run['cpu']['lsh']:.1f} s), "
                f"{d.get('band_entries', 0):,} band entries shuffled"
                if d
                else ""
            )
            rate = mb / run["seconds"]
            print(
                f"{engine:>5} {workers} workers: {run['seconds']:.1f} s ({rate:.2f} MB/s; "
                f"reading {st['reading']:.1f}, analysing {st['analysing']:.1f}, writing "
                f"{st['writing']:.1f}); RSS {run['client_mb']:.0f} MB, largest worker "
                f"{run['largest_worker_mb']:.0f} MB{extra}",
                flush=True,
            )
    (ROOT / "benchmarks" / "data" / f"dask-scaling-{args.size}.json").write_text(
        json.dumps({"mb": mb, "runs": runs}, indent=1)
    )
    same = len({r["export"] for r in runs}) == 1
    print(f"exports byte-identical across all runs: {same}")
    for engine in ("dask", "dask-parquet"):
        if any(r["engine"] == engine for r in runs):
            print(estimate(mb, runs, engine))


if __name__ == "__main__":
    main()
