"""Crash safety: ``newscorpus build`` and ``add`` killed (SIGKILL, the whole process group, so
the worker processes too) at random moments leave a store that opens and is either the store as
it was or the store the command makes, never anything else, and a rerun of the same command
completes it with nothing lost or doubled. (A command commits once, at its end: the batches
committed before a kill are those of the store as it was, or all of them.) Readers (the API,
the export, the report) work while an add runs and see one of the two stores.

The kill moments are drawn with ``random.Random(SEED)`` across a measured full run; a failure
message names the seed, the trial and the moment, so it can be replayed.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import attrs
import pytest
from subprocess_cli import run
from test_living import snapshot

from newscorpus import build, iter_inputs
from newscorpus.html_report import write_report
from newscorpus.store import Corpus

SEED = 20250611
# Kills of each command; the build's alternate between no store before and replacing one.
ADD_KILLS = 6
BUILD_KILLS = 6
# Of those, this many land around the moment the finished store is moved into place.
LATE_KILLS = 2
# Articles of the stored part (A) and of the added part (B): a full add of B to A, or a build
# of both, takes about 2 seconds on a 2-core machine, workers included.
STORED, ADDED = 800, 550
REPORT_TITLE = "crash test"

pytestmark = pytest.mark.skipif(
    not hasattr(os, "killpg"), reason="kills a process group: POSIX only"
)


# -- the corpus ---------------------------------------------------------------------------------


def synthetic_articles(rnd: random.Random, n: int) -> list[dict[str, str]]:
    """``n`` JSON-lines records of made-up news: sentences of a synthetic vocabulary, with
    background paragraphs repeated (some lightly reworded) across articles, so that there are
    blocks, and a few copies of earlier articles with a line added, so that there are copies."""
    syllables = "ka lo mi ren tor vel an is dun mar sel or ven tu ba ri nor gal".split()
    vocabulary = sorted(
        {"".join(rnd.choice(syllables) for _ in range(rnd.randint(1, 3))) for _ in range(3000)}
    )

    def sentence() -> str:
        words = [rnd.choice(vocabulary) for _ in range(rnd.randint(6, 16))]
        return " ".join([words[0].capitalize(), *words[1:]]) + "."

    def paragraph(sentences: int) -> str:
        return " ".join(sentence() for _ in range(sentences))

    def reworded(text: str) -> str:
        words = text.split(" ")
        words[rnd.randrange(1, len(words) - 1)] = rnd.choice(vocabulary)
        return " ".join(words)

    backgrounds = [paragraph(3) for _ in range(40)]
    records: list[dict[str, str]] = []
    for i in range(n):
        if records and rnd.random() < 0.05:
            text = rnd.choice(records)["text"] + f"\nCopyright {rnd.choice(vocabulary)}.\n"
        else:
            paragraphs = [paragraph(rnd.randint(2, 4)) for _ in range(rnd.randint(2, 4))]
            for _ in range(rnd.randint(0, 2)):
                background = rnd.choice(backgrounds)
                if rnd.random() < 0.3:
                    background = reworded(background)
                paragraphs.insert(rnd.randint(1, len(paragraphs)), background)
            text = "\n\n".join(paragraphs) + "\n"
        records.append({"id": f"article-{i:05d}", "text": text})
    return records


@attrs.frozen
class Stores:
    """The inputs and the two committed states a kill may leave: ``before`` (the store of
    part A alone) and ``after`` (A then B, as ``add`` or ``build A B`` make it)."""

    folder: Path
    part_a: Path
    part_b: Path
    base: Path
    before: tuple
    after: tuple
    reports: dict[str, str]


def report_of(corpus: Corpus) -> str:
    out = io.StringIO()
    write_report(corpus, out, title=REPORT_TITLE)
    return out.getvalue()


@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> Stores:
    folder = tmp_path_factory.mktemp("crash")
    records = synthetic_articles(random.Random(SEED), STORED + ADDED)
    part_a, part_b = folder / "a.jsonl", folder / "b.jsonl"
    for path, part in ((part_a, records[:STORED]), (part_b, records[STORED:])):
        path.write_text("".join(json.dumps(r) + "\n" for r in part), encoding="utf-8")
    base = folder / "base.db"
    with build(iter_inputs([part_a], name_field="id"), base, workers=2) as corpus:
        before, before_report = snapshot(corpus), report_of(corpus)
    whole = folder / "whole.db"
    with build(iter_inputs([part_a, part_b], name_field="id"), whole, workers=2) as corpus:
        after, after_report = snapshot(corpus), report_of(corpus)
    assert len(before[1]) > 10 and len(before[2]) > 10  # blocks and copies before the add
    assert len(after[1]) > len(before[1]) and len(after[2]) > len(before[2])
    return Stores(
        folder,
        part_a,
        part_b,
        base,
        before,
        after,
        {"before": before_report, "after": after_report},
    )


# -- running and killing the command line -------------------------------------------------------


def start(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    """``python -m newscorpus ARGS`` in a session of its own (its workers join its group)."""
    return subprocess.Popen(
        [sys.executable, "-m", "newscorpus", *args],
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def run_killed(args: list[str], cwd: Path, moment: float) -> int:
    """Run the command and SIGKILL its whole process group ``moment`` seconds after it started,
    unless it has finished by then; its exit status (-9 when killed)."""
    child = start(args, cwd)
    try:
        child.wait(timeout=moment)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
    _, err = child.communicate()
    assert child.returncode in (0, -signal.SIGKILL), err.decode()
    return child.returncode


def measured_run(args: list[str], cwd: Path) -> tuple[float, float]:
    """Run the command to completion, watching its store: the seconds it took, and the moment
    the finished store was moved into place."""
    store = cwd / "s.db"

    def identity() -> int | None:
        try:
            return store.stat().st_ino
        except FileNotFoundError:
            return None

    first = identity()
    moved = None
    started = time.perf_counter()
    child = start(args, cwd)
    while child.poll() is None:
        if moved is None and identity() != first:
            moved = time.perf_counter() - started
        time.sleep(0.005)
    took = time.perf_counter() - started
    _, err = child.communicate()
    assert child.returncode == 0, err.decode()
    return took, took if moved is None else moved


def kill_moments(rnd: random.Random, duration: float, moved: float, kills: int) -> list[float]:
    """Moments spread over a run of ``duration`` seconds, one drawn uniformly in each of
    ``kills - LATE_KILLS`` equal slices of it (so that kills land while reading, analysing and
    writing), and `LATE_KILLS` within 0.1 s of the moment ``moved`` when the finished store is
    moved into place."""
    slices = kills - LATE_KILLS
    spread = [rnd.uniform(i, i + 1) * duration / slices for i in range(slices)]
    return spread + [rnd.uniform(moved - 0.1, moved + 0.1) for _ in range(LATE_KILLS)]


def state_of(path: Path, stores: Stores) -> str:
    """Which committed state the store at ``path`` is: "no store", "before", "after", or
    "something else" (a failure). Opening it must work."""
    if not path.exists():
        return "no store"
    with Corpus.open(path) as corpus:
        return which(snapshot(corpus), stores)


def which(found: tuple, stores: Stores) -> str:
    """The committed state a snapshot shows: "before", "after" or "something else"."""
    if found == stores.before:
        return "before"
    if found == stores.after:
        return "after"
    return "something else"


def outcome(moment: float, status: int, state: str, folder: Path) -> str:
    """A kill's outcome, for the record: when, the state, and what it left beside the store."""
    left = sorted(p.name for p in folder.iterdir() if p.name not in ("s.db", ".s.db.lock"))
    return f"{moment:.2f} s: {state}{'' if status else ' (had finished)'} {left or ''}".strip()


def assert_completed(folder: Path, stores: Stores) -> None:
    """The store is the one the command makes, and nothing is left beside it (no temporary
    store, journal or scratch file) but at most its lock file."""
    assert state_of(folder / "s.db", stores) == "after"
    assert {p.name for p in folder.iterdir()} - {".s.db.lock"} == {"s.db"}


def trial_folder(stores: Stores, name: str, with_store: bool) -> Path:
    folder = stores.folder / name
    folder.mkdir()
    if with_store:
        shutil.copyfile(stores.base, folder / "s.db")
    return folder


def kill_then_rerun(
    args: list[str], folder: Path, moment: float, allowed: tuple[str, ...], where: str, stores
) -> tuple[int, str]:
    """Run the command in ``folder``, kill it at ``moment``, check the store is in one of the
    ``allowed`` states, then rerun the command to completion. Returns the killed run's exit
    status and the state it left."""
    status = run_killed(args, folder, moment)
    state = state_of(folder / "s.db", stores)
    assert state in allowed, where
    rerun = run(*args, cwd=folder)
    assert rerun.returncode == 0, f"{where}: {rerun.stderr}"
    assert_completed(folder, stores)
    return status, state


# -- crash safety -------------------------------------------------------------------------------


def test_a_killed_add_leaves_the_old_or_the_new_store_and_a_rerun_completes_it(stores):
    args = ["add", "s.db", str(stores.part_b), "--name-field", "id", "--quiet", "--workers", "2"]
    folder = trial_folder(stores, "add-measured", with_store=True)
    duration, moved = measured_run(args, folder)
    assert_completed(folder, stores)

    rnd = random.Random(SEED)
    states, killed, outcomes = Counter(), 0, []
    for trial, moment in enumerate(kill_moments(rnd, duration, moved, ADD_KILLS)):
        where = f"seed {SEED}, add trial {trial}, killed at {moment:.3f} s of {duration:.3f} s"
        folder = trial_folder(stores, f"add-{trial}", with_store=True)
        status, state = kill_then_rerun(args, folder, moment, ("before", "after"), where, stores)
        killed += status != 0
        states[state] += 1
        outcomes.append(outcome(moment, status, state, folder))
    assert killed >= (ADD_KILLS - LATE_KILLS) // 2, "the kills came too late: see kill_moments"
    print(f"add, seed {SEED}, {duration=:.2f} s, {moved=:.2f} s, {killed=}: {dict(states)}")
    print("  kills:", "; ".join(outcomes))


def test_a_killed_build_leaves_no_store_or_the_old_or_the_new_and_a_rerun_completes_it(stores):
    args = [
        "build",
        str(stores.part_a),
        str(stores.part_b),
        "--name-field",
        "id",
        "-o",
        "s.db",
        "--quiet",
        "--workers",
        "2",
    ]
    folder = trial_folder(stores, "build-measured", with_store=False)
    duration, moved = measured_run(args, folder)
    assert_completed(folder, stores)

    rnd = random.Random(SEED + 1)
    states, killed, outcomes = Counter(), 0, []
    for trial, moment in enumerate(kill_moments(rnd, duration, moved, BUILD_KILLS)):
        replacing = trial % 2 == 1
        where = (
            f"seed {SEED}, build trial {trial} ({'replacing a store' if replacing else 'new'}), "
            f"killed at {moment:.3f} s of {duration:.3f} s"
        )
        folder = trial_folder(stores, f"build-{trial}", with_store=replacing)
        allowed = ("before", "after") if replacing else ("no store", "after")
        status, state = kill_then_rerun(args, folder, moment, allowed, where, stores)
        killed += status != 0
        states[f"{'replacing' if replacing else 'new'}: {state}"] += 1
        outcomes.append(outcome(moment, status, state, folder))
    assert killed >= (BUILD_KILLS - LATE_KILLS) // 2, "the kills came too late: see kill_moments"
    print(f"build, seed {SEED}, {duration=:.2f} s, {moved=:.2f} s, {killed=}: {dict(states)}")
    print("  kills:", "; ".join(outcomes))


# -- readers during an add ----------------------------------------------------------------------


def test_readers_see_the_old_or_the_new_store_while_an_add_runs(stores):
    folder = trial_folder(stores, "readers", with_store=True)
    path = folder / "s.db"
    exported = stores.folder / "readers-export.jsonl"
    held = Corpus.open(path)  # opened before the add: it goes on reading the old store
    add = start(
        ["add", "s.db", str(stores.part_b), "--name-field", "id", "--quiet", "--workers", "2"],
        folder,
    )
    export = None
    seen = Counter()
    try:
        while add.poll() is None:
            with Corpus.open(path) as corpus:
                state = which(snapshot(corpus), stores)
                assert state in ("before", "after"), f"a reader saw {state} ({dict(seen)} before)"
                assert report_of(corpus) == stores.reports[state]
            if add.poll() is None:
                seen[state] += 1
                if export is None:  # the command line too, once the add is under way
                    export = start(["export", "s.db", "-o", str(exported)], folder)
        _, err = add.communicate(timeout=120)
        assert add.returncode == 0, err.decode()
    finally:
        if add.poll() is None:
            os.killpg(add.pid, signal.SIGKILL)
            add.wait()
    assert sum(seen.values()) >= 1, "the add finished before a read did: make the corpus bigger"
    assert export is not None
    _, err = export.communicate(timeout=120)
    assert export.returncode == 0, err.decode()
    assert exported.read_text(encoding="utf-8") in (stores.before[0], stores.after[0])
    assert snapshot(held) == stores.before
    held.close()
    assert_completed(folder, stores)
    print(f"reads while the add ran: {dict(seen)}")
