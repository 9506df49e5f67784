"""The Dask engine: on a local cluster of two worker processes, its store is the local engine's
store (a byte-identical export: the same block ids, segments and copies), from the seeds and
from a few-MB corpus made by ``benchmarks/scale.py``; input errors and warnings are the local
engine's; a worker killed mid-build (while reading, as the LSH starts, or while it verifies) is
replaced and the build completes; workers that keep dying make the build fail cleanly, with the
store as it was."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from subprocess_cli import run

from newscorpus import EngineError, StoreError, build
from newscorpus.export import export_jsonl
from newscorpus.readers import Inputs
from newscorpus.store import Corpus

distributed = pytest.importorskip("distributed", reason='the Dask engine: pip install ".[dask]"')
psutil = pytest.importorskip("psutil")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"


def _export(path: Path) -> str:
    out = io.StringIO()
    with Corpus.open(path) as corpus:
        export_jsonl(corpus, out)
    return out.getvalue()


def _blocks(path: Path) -> list[tuple]:
    with Corpus.open(path) as corpus:
        return [(b.id, b.text, b.articles, b.variants) for b in corpus.blocks()]


@pytest.fixture(scope="module")
def client():
    from newscorpus.dask_engine import dask_client

    with dask_client(2) as client:
        yield client


@pytest.fixture(scope="module")
def generated_local(generated, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("local") / "local.db"
    build(Inputs([generated], name_field="name"), store).close()
    return store


def test_seeds_dask_store_is_the_local_store(client, tmp_path):
    from newscorpus.dask_engine import DaskEngine

    build(Inputs(SEEDS), tmp_path / "local.db").close()
    # 1 KB pieces: each seed file is a piece of its own
    engine = DaskEngine(client, piece_bytes=1000)
    build(Inputs(SEEDS), tmp_path / "dask.db", engine=engine).close()
    assert _export(tmp_path / "dask.db") == _export(tmp_path / "local.db")
    assert _blocks(tmp_path / "dask.db") == _blocks(tmp_path / "local.db")
    assert len(_blocks(tmp_path / "dask.db")) == 5


def test_generated_corpus_dask_store_is_the_local_store(
    client, generated, generated_local, tmp_path
):
    from newscorpus.dask_engine import DaskEngine

    inputs = Inputs([generated], name_field="name")
    engine = DaskEngine(client, piece_bytes=200_000)  # about 15 pieces
    build(inputs, tmp_path / "dask.db", engine=engine).close()
    local = _export(generated_local)
    assert _export(tmp_path / "dask.db") == local
    assert _blocks(tmp_path / "dask.db") == _blocks(generated_local)
    with Corpus.open(tmp_path / "dask.db") as corpus:
        assert corpus.stats["blocks"] > 100 and corpus.stats["duplicates"] > 10
        assert [d.name for d in corpus.duplicates()] == [
            d.name for d in Corpus.open(generated_local).duplicates()
        ]
    # The same file named by a file:// URL, which the workers open with fsspec.
    by_url = Inputs([generated.as_uri()], name_field="name")
    build(by_url, tmp_path / "url.db", engine=DaskEngine(client, piece_bytes=500_000)).close()
    assert _export(tmp_path / "url.db") == local
    # Documents from this process, prepared on the workers: the same store again.
    docs = Inputs([generated], name_field="name").documents()
    build(docs, tmp_path / "documents.db", engine=DaskEngine(client)).close()
    assert _export(tmp_path / "documents.db") == local


def _cli_build(tmp_path: Path, name: str, *args: str, engine: str = "local"):
    extra = ["--engine", "dask", "--workers", "2"] if engine == "dask" else []
    return run("build", *args, "-o", str(tmp_path / name), *extra, cwd=tmp_path)


def test_cli_inputs_read_on_the_workers_warn_as_the_local_engine_warns(tmp_path):
    (tmp_path / "folder").mkdir()
    for i in range(3):
        (tmp_path / "folder" / f"{i}.txt").write_text(f"Article {i}. " * 50)
    (tmp_path / "a.corpus").write_bytes(
        b"<<<FILE one>>>\nfirst \xff text\n\n<<<FILE one>>>\nsecond text\n\n<<<FILE 0.txt>>>\nx\n"
    )
    (tmp_path / "b.jsonl").write_text('{"id": "j", "text": "j"}\nnot json\n')
    inputs = ["folder", "a.corpus", "b.jsonl", "--lenient"]
    local = _cli_build(tmp_path, "local.db", *inputs)
    dask = _cli_build(tmp_path, "dask.db", *inputs, engine="dask")
    assert local.returncode == dask.returncode == 0, dask.stderr
    warned = [line for line in local.stderr.splitlines() if "warning" in line]
    assert len(warned) == 4  # bad byte, repeated name, name met in another input, bad line
    assert [line for line in dask.stderr.splitlines() if "warning" in line] == warned
    assert _export(tmp_path / "dask.db") == _export(tmp_path / "local.db")


def test_cli_an_error_in_a_later_piece_is_the_local_engines(generated, tmp_path):
    broken = tmp_path / "broken.jsonl"
    broken.write_bytes(generated.read_bytes() + b'{"name": "last", "text": 3}\n')
    lines = broken.read_bytes().count(b"\n")
    local = _cli_build(tmp_path, "local.db", str(broken), "--name-field", "name")
    dask = _cli_build(tmp_path, "dask.db", str(broken), "--name-field", "name", engine="dask")
    assert local.returncode == dask.returncode == 2
    assert f"line {lines}: expected the text field 'text' to be a string" in local.stderr
    assert dask.stderr == local.stderr
    assert "Traceback" not in dask.stderr
    assert not list(tmp_path.glob("*.db*")) and not list(tmp_path.glob(".*.db*"))


def _workers_of(process: subprocess.Popen) -> list:
    """The Dask worker processes a CLI build started (its cluster's nannies run in it)."""
    try:
        children = psutil.Process(process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    found = []
    for child in children:
        try:
            if "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:
            pass
    return found


@pytest.fixture
def builds():
    """The CLI builds a test starts, killed with their workers if the test ends first."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        if process.poll() is None:
            for worker in _workers_of(process):
                worker.kill()
            process.kill()
            process.wait()


def _start_build(generated: Path, store: Path) -> subprocess.Popen:
    args = [str(generated), "--name-field", "name", "-o", str(store), "--quiet"]
    return subprocess.Popen(
        [sys.executable, "-m", "newscorpus", "build", *args, "--engine", "dask", "--workers", "2"],
        cwd=store.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_reading(process: subprocess.Popen, store: Path) -> None:
    """Until the build writes its new store and both workers are up."""
    building = store.with_name(f".{store.name}.building")
    deadline = time.monotonic() + 60
    while not (building.exists() and len(_workers_of(process)) == 2):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the build did not start"
        time.sleep(0.05)


@pytest.mark.parametrize("output", ["dask.db", "dask.parquet"])
def test_a_worker_killed_mid_build_is_replaced_and_the_build_completes(
    generated, generated_local, tmp_path, builds, output
):
    """A worker killed (SIGKILL) half a second into reading: for a SQLite store, as the pieces
    are read a few ahead of the one taken up; for a Parquet dataset, as every piece is read
    before the units are numbered. The build completes with the local engine's store."""
    store = tmp_path / output
    process = _start_build(generated, store)
    builds.append(process)
    _wait_for_reading(process, store)
    time.sleep(0.5)
    victim = _workers_of(process)[0]
    victim.send_signal(signal.SIGKILL)
    out, err = process.communicate(timeout=180)
    assert process.returncode == 0, err
    assert not victim.is_running()
    assert _export(store) == _export(generated_local)


@pytest.mark.parametrize("output", ["dask.db", "dask.parquet"])
@pytest.mark.parametrize("moment", ["as the LSH starts", "as the first group verifies"])
def test_a_worker_killed_in_the_lsh_is_replaced_and_the_build_completes(
    generated, generated_local, tmp_path, monkeypatch, moment, output
):
    """The LSH's groups of signatures (`_unit_groups`) are made from what the workers kept of
    the pieces they read, and its first round's candidates wait on them with their signatures
    attached: a worker killed (SIGKILL) just before the LSH, or once the first verifying task
    is sent, takes some of that away, and the build makes it again (the tasks are pure) and
    gives the local engine's store. For a Parquet dataset, whose workers numbered the units,
    the groups are made of the pieces' kept rows there, and each piece's signatures are let
    go: a group lost is made again from its pieces, read again."""
    from newscorpus import dask_engine
    from newscorpus.dask_engine import DaskEngine, dask_client

    killed = []

    def kill(engine: DaskEngine) -> None:
        address, victim = min(engine.client.run(os.getpid).items(), key=lambda kv: kv[1])
        held = engine.client.has_what()[address]  # what the kill takes away
        os.kill(victim, signal.SIGKILL)
        killed.append((victim, len(held)))

    if moment == "as the LSH starts":
        original = DaskEngine._verified_pairs

        def verified_pairs(self, *args):
            kill(self)
            return original(self, *args)

        monkeypatch.setattr(DaskEngine, "_verified_pairs", verified_pairs)
    else:
        submit = DaskEngine._submit

        def submitting(self, function, *args):
            future = submit(self, function, *args)
            if function is dask_engine._verify_attached and not killed:
                kill(self)
            return future

        monkeypatch.setattr(DaskEngine, "_submit", submitting)
    with dask_client(2) as client:
        engine = DaskEngine(client, piece_bytes=200_000)  # about 15 pieces, 4 groups
        build(Inputs([generated], name_field="name"), tmp_path / output, engine=engine).close()
        workers = client.run(os.getpid).values()
    [(victim, held)] = killed
    assert held > 0 and victim not in workers
    assert _export(tmp_path / output) == _export(generated_local)


@pytest.mark.parametrize(
    "step",
    [
        "_WorkerRuns.occurrences",
        "_WorkerRuns.identical",
        "write_parts",
        "_WorkerRuns.verdicts",
        "_WorkerRuns.cluster_groups",
        "_WorkerRuns.trimmed",
    ],
)
def test_a_worker_killed_holding_what_a_parquet_build_sent_it_is_replaced(
    generated, generated_local, tmp_path, monkeypatch, step
):
    """A Parquet build sends the workers what makes the units' clusters, what the analysis
    asks of the texts, and what they write, directly (`DaskEngine._sent`: no task can make
    them again). A worker killed (SIGKILL) holding some of it, as the units' clusters are
    made, or the articles with the same words are grouped, or the pairs of articles are
    judged as copies where their profiles meet, or where the facts of their passages meet,
    or which clusters are carried by two copy groups, or
    has the runs cut, or as the parts are written, makes that step run again (the runs it
    kept are found again), and the dataset is the local engine's store."""
    from newscorpus import dask_engine
    from newscorpus.dask_engine import DaskEngine

    killed: list[int] = []
    inside: list[bool] = []
    sent = DaskEngine._sent

    def sending(self, values):
        futures = sent(self, values)
        if inside and futures and not killed:
            killed.append(_kill_a_holder(self.client, futures))
        return futures

    owner_name, _, name = step.rpartition(".")
    owner = getattr(dask_engine, owner_name) if owner_name else DaskEngine
    original = getattr(owner, name)

    def stepping(self, *args):
        inside.append(True)
        try:
            return original(self, *args)
        finally:
            inside.pop()

    monkeypatch.setattr(DaskEngine, "_sent", sending)
    monkeypatch.setattr(owner, name, stepping)
    _parquet_build_outlives(killed, generated, generated_local, tmp_path)


def test_a_worker_killed_as_the_units_are_numbered_is_replaced(
    generated, generated_local, tmp_path, monkeypatch
):
    """A Parquet build's workers number the units by a shuffle of their keys, from the
    pieces they hold (`DaskEngine._number_units`): a worker killed (SIGKILL) once the first
    numbers are known takes pieces and parts of the shuffle with it, which are made again
    from the input, and the dataset is the local engine's store."""
    from newscorpus.dask_engine import DaskEngine

    killed: list[int] = []
    number = DaskEngine._number_units

    def numbering(self, held):
        found = number(self, held)
        killed.append(_kill_a_holder(self.client, held))
        return found

    monkeypatch.setattr(DaskEngine, "_number_units", numbering)
    _parquet_build_outlives(killed, generated, generated_local, tmp_path)


def _kill_a_holder(client, futures) -> int:
    """Kill (SIGKILL) a worker holding one of ``futures``; its process id."""
    holders = {a for f in futures for a in client.who_has([f])[f.key]}
    victim = client.run(os.getpid)[sorted(holders)[0]]
    os.kill(victim, signal.SIGKILL)
    return victim


def _parquet_build_outlives(killed: list[int], generated, generated_local, tmp_path) -> None:
    """A Parquet build of the generated corpus on a new cluster of two workers, in which one
    worker is killed (``killed`` gets its process id): it was replaced, and the dataset is
    the local engine's store."""
    from newscorpus.dask_engine import DaskEngine, dask_client

    with dask_client(2) as client:
        engine = DaskEngine(client, piece_bytes=400_000)
        dataset = tmp_path / "news.parquet"
        build(Inputs([generated], name_field="name"), dataset, engine=engine).close()
        workers = client.run(os.getpid).values()
    [victim] = killed
    assert victim not in workers
    assert _export(dataset) == _export(generated_local)


def test_workers_that_keep_dying_fail_the_build_cleanly(generated, tmp_path, builds):
    from newscorpus.dask_engine import dask_client

    store = tmp_path / "dask.db"
    build(Inputs(SEEDS), store).close()
    before = store.read_bytes()
    with dask_client(2) as client:
        args = [str(generated), "--name-field", "name", "-o", str(store), "--quiet"]
        process = subprocess.Popen(
            [sys.executable, "-m", "newscorpus", "build", *args, "--engine", "dask"]
            + ["--scheduler", client.scheduler.address],
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        builds.append(process)
        stop = threading.Event()

        def keep_killing() -> None:
            # Every worker the scheduler has given a task, at once: each of those tasks counts
            # a worker that died while running it, and the scheduler gives up on one that
            # counts four (distributed's allowed-failures). Killing by what the workers do, not
            # by how long they have been up, fails the build on a machine of any speed.
            while not stop.is_set() and process.poll() is None:
                # The scheduler runs in this process (a local cluster).
                workers = dict(client.cluster.scheduler.workers)
                for worker in workers.values():
                    if worker.processing:
                        with contextlib.suppress(OSError):
                            os.kill(worker.pid, signal.SIGKILL)
                time.sleep(0.05)

        killer = threading.Thread(target=keep_killing)
        killer.start()
        try:
            out, err = process.communicate(timeout=180)
        finally:
            stop.set()
            killer.join()
    assert process.returncode == 1, err
    assert err.startswith("newscorpus: error: the Dask cluster failed"), err
    assert "Traceback" not in err
    assert store.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dask.db"]
    assert os.path.getsize(store) > 0


def test_asyncio_reports_no_unawaited_failure_while_a_cluster_runs(caplog):
    """When workers die, a local cluster's scheduler (in the building process) can leave the
    failure of one of several messages unawaited; asyncio would print it with a traceback
    beside the build's own error. While a cluster runs it does not; afterwards it does again."""
    import asyncio
    import gc

    from newscorpus.dask_engine import quiet_event_loop

    def leave_a_failure_unawaited() -> None:
        loop = asyncio.new_event_loop()
        future = loop.create_future()
        future.set_exception(ConnectionResetError("connection reset by peer"))
        del future
        gc.collect()
        loop.close()

    log = logging.getLogger("asyncio")
    before = log.level  # silenced already where this module's cluster runs
    log.setLevel(logging.NOTSET)
    try:
        with quiet_event_loop():
            leave_a_failure_unawaited()
        assert "never retrieved" not in caplog.text
        assert log.level == logging.NOTSET  # as it was
        leave_a_failure_unawaited()
        assert "never retrieved" in caplog.text
    finally:
        log.setLevel(before)


def test_a_build_left_with_no_worker_fails_and_leaves_the_store_as_it_was(tmp_path):
    """Workers gone for good (not replaced): the build fails once its tasks have waited for a
    worker for the cluster's no-workers timeout, rather than waiting forever."""
    from newscorpus.dask_engine import DaskEngine, local_client

    store = tmp_path / "s.db"
    build(sorted(SEEDS.glob("*.txt"))[:2], store).close()
    before = store.read_bytes()
    client = local_client(1, no_workers_timeout="2s")
    cluster = client.cluster
    try:
        cluster.scale(0)
        deadline = time.time() + 30
        while client.scheduler_info()["workers"] and time.time() < deadline:
            time.sleep(0.1)
        assert not client.scheduler_info()["workers"]
        started = time.time()
        with pytest.raises(EngineError, match="the Dask cluster failed"):
            build(SEEDS, store, engine=DaskEngine(client))
        assert time.time() - started < 60
    finally:
        client.close()
        cluster.close()
    assert store.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.db"]


def test_cli_add_on_the_dask_engine_gives_the_store_of_one_build(tmp_path):
    seeds = sorted(SEEDS.glob("*.txt"))
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for i, path in enumerate(seeds):
        ((first if i < 3 else second) / path.name).write_bytes(path.read_bytes())
    assert run("build", "first", "-o", "grown.db", "--quiet", cwd=tmp_path).returncode == 0
    added = run(
        "add", "grown.db", "second", "--engine", "dask", "--workers", "2", "--quiet", cwd=tmp_path
    )
    assert added.returncode == 0, added.stderr
    assert run("build", "first", "second", "-o", "once.db", "--quiet", cwd=tmp_path).returncode == 0
    assert _export(tmp_path / "grown.db") == _export(tmp_path / "once.db")
    assert len(_blocks(tmp_path / "grown.db")) == 5


def test_the_progress_of_a_dask_build_follows_the_pieces_read(client, generated, tmp_path):
    from newscorpus.dask_engine import DaskEngine
    from newscorpus.readers import ReadMeter
    from newscorpus.report import Progress

    meter, out = ReadMeter(), io.StringIO()
    progress = Progress(enabled=True, out=out, every=0.0, meter=meter)
    engine = DaskEngine(client, piece_bytes=500_000)
    inputs = Inputs([generated], name_field="name")
    build(inputs, tmp_path / "p.db", engine=engine, progress=progress.update, meter=meter).close()
    lines = out.getvalue().split("\r")
    shares = [
        int(line.split("% of input")[0].rsplit(" ", 1)[-1]) for line in lines if "% of" in line
    ]
    assert shares == sorted(shares) and shares[-1] == 100 and len(set(shares)) > 3
    assert meter.done == meter.total == generated.stat().st_size
    assert any("analysing" in line for line in lines) and any("writing" in line for line in lines)


def test_a_parquet_dataset_written_by_the_workers_reads_as_the_store(
    client, generated, generated_local, tmp_path, monkeypatch
):
    """The workers write the articles, find their shared runs, and the analysis reads the
    texts where they are: no article's text, nor its source fields, comes to this process."""
    from newscorpus import blocks, dask_engine
    from newscorpus.dask_engine import DaskEngine
    from newscorpus.parquet import ParquetCorpus, ParquetWriter

    given, spooled, fields, unit_fields, held = [], [], [], set(), []
    add, analyse = blocks.Detector.add, blocks.Detector.analyse
    add_article = ParquetWriter.add_article

    def adding_article(self, article_id, name, text, meta, source_fields):
        fields.append(source_fields)
        return add_article(self, article_id, name, text, meta, source_fields)

    monkeypatch.setattr(ParquetWriter, "add_article", adding_article)
    found_here = []
    for owner, name in [
        (blocks.Detector, "_runs"),
        (blocks.Detector, "_run_texts"),
        (blocks.Detector, "_cuts"),
        (blocks, "joined_pairs"),
        (blocks, "separated_pairs"),
        (blocks, "cluster_groups"),
        (blocks, "article_heads"),
        (blocks, "content_digests"),
        (blocks, "profiles_of"),
        (blocks, "passage_units"),
        (blocks.Carriers, "_members"),
    ]:
        monkeypatch.setattr(owner, name, lambda *args, name=name: found_here.append(name))

    def adding(self, batch, texts, *args, **kwargs):
        given.extend(texts)
        unit_fields.update(batch.records.dtype.names)
        return add(self, batch, texts, *args, **kwargs)

    def analysing(self, *args, **kwargs):
        spooled.append(len(self.texts))
        held.append((len(self._distinct_words), len(self._sig_ids), self._distinct_elsewhere))
        return analyse(self, *args, **kwargs)

    monkeypatch.setattr(blocks.Detector, "add", adding)
    monkeypatch.setattr(blocks.Detector, "analyse", analysing)
    inputs = Inputs([generated], name_field="name")
    dataset = tmp_path / "news.parquet"
    engine = DaskEngine(client, piece_bytes=400_000)
    build(inputs, dataset, engine=engine).close()
    assert len(given) > 100 and set(given) == {""} and spooled == [0]
    # Of the units, nothing came here (the workers numbered them by their keys, and keep
    # them with the texts, and find their pairs), nor of each distinct unit: per article,
    # how many distinct units it brings, and how many of those are signed. Nothing of each
    # distinct unit is held here as the analysis starts.
    assert unit_fields == {"fresh", "signed"}
    [(words, signed, counted)] = held
    assert words == signed == 0 and counted > 1000
    assert len(fields) == len(given) and not any(fields)
    # The copies' heads, profiles and facts, the neighbouring and separated background
    # clusters (and how many articles carry both of two neighbours: the clusters' carriers
    # stay there) and the shared runs were found, with the runs' texts, on the workers, and the
    # runs stay there: what came here of them is the blocks' most frequent wordings (and all
    # the wordings of blocks that others joined), not every wording: the workers that
    # counted them wrote the variants. Nor every block's carriers: only those of blocks
    # similar enough to join, and per block how many articles carry it and their dates.
    assert not found_here and engine.stats["block_summary_bytes"] > 0
    with Corpus.open(dataset) as corpus:
        found = corpus.blocks()
    written = sum(block.variants for block in found)
    assert written == engine.stats["variants_written"]
    assert len(found) <= engine.stats["block_wordings_here"] < written
    carried = sum(block.articles for block in found)
    assert 0 < engine.stats["block_carriers_here"] < carried / 10
    assert set(client.run(lambda: len(dask_engine._RUNS)).values()) == {0}
    # The workers read the facts of units for the copies, judge the pairs that ask them there,
    # and keep none once the build is done.
    assert engine.stats["facts_pairs"] > 0
    kept = client.run(lambda: blocks._unit_facts.cache_info())
    assert len(kept) == 2 and all(info.currsize == 0 for info in kept.values())
    # What came here: the articles' names, metadata and counts of units, and the answers
    # to what the analysis asked; a small share of the input.
    assert 0 < engine.stats["received_bytes"] < generated.stat().st_size / 10
    parts = sorted(p.name for p in (dataset / "articles").iterdir())
    assert len(parts) > 5 and parts[0] == "part-00000.parquet"
    assert _export(dataset) == _export(generated_local)
    parquet, store = Corpus.open(dataset), Corpus.open(generated_local)
    assert isinstance(parquet, ParquetCorpus) and len(parquet) == len(store)
    assert parquet.blocks() == store.blocks()
    assert parquet.duplicates() == store.duplicates()
    top = store.blocks()[0].id
    assert parquet.variants(top) == store.variants(top)
    assert parquet.block_articles(top) == store.block_articles(top)
    names = list(store.checksums())
    for name in [store.duplicates()[0].name, names[0], names[-1]]:
        assert parquet.article(name) == store.article(name)
        assert parquet.article(name).fields  # written from the workers' own
    with pytest.raises(KeyError):
        parquet.article("no such article")


def test_cli_builds_a_parquet_dataset_on_the_dask_engine_only(tmp_path):
    args = ["build", str(SEEDS), "-o", "news.parquet", "--quiet"]
    refused = run(*args, cwd=tmp_path)
    assert refused.returncode == 2 and "written by the Dask engine's workers" in refused.stderr
    assert not (tmp_path / "news.parquet").exists()
    for _ in range(2):  # the second build replaces the first
        built = run(*args, "--engine", "dask", "--workers", "2", cwd=tmp_path)
        assert built.returncode == 0, built.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.parquet"]
    assert run("build", str(SEEDS), "-o", "s.db", "--quiet", cwd=tmp_path).returncode == 0
    exported = run("export", "news.parquet", cwd=tmp_path)
    assert (
        exported.returncode == 0 and exported.stdout == run("export", "s.db", cwd=tmp_path).stdout
    )
    stats = run("stats", "news.parquet", cwd=tmp_path)
    assert stats.returncode == 2 and "this command reads SQLite stores" in stats.stderr
    added = run("add", "news.parquet", str(SEEDS), cwd=tmp_path)
    assert added.returncode == 2 and "cannot grow" in added.stderr
    assert "Traceback" not in stats.stderr + added.stderr


def test_a_parquet_build_killed_midway_leaves_the_old_dataset_or_puts_it_back(client, tmp_path):
    from newscorpus.dask_engine import DaskEngine

    dataset = tmp_path / "news.parquet"
    build(Inputs(SEEDS), dataset, engine=DaskEngine(client)).close()
    before = _export(dataset)
    # What a build killed while writing leaves: its unfinished folder beside the dataset; and
    # one killed between moving the old dataset aside and the new one in: the old one aside.
    (tmp_path / ".news.parquet.building" / "articles").mkdir(parents=True)
    dataset.rename(tmp_path / ".news.parquet.old")
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "a", "text": "fine"}\nnot json\n')
    with pytest.raises(ValueError, match="line 2: invalid JSON"):
        build(Inputs([broken]), dataset, engine=DaskEngine(client))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.jsonl", "news.parquet"]
    assert _export(dataset) == before


def test_a_parquet_dataset_of_version_1_reads_as_it_did(client, tmp_path):
    """Version 1 of the dataset kept the blocks' variants in one file, which this process
    wrote; since version 2 the workers that counted them write them in parts. A dataset of
    version 1 reads as it did; one of a version this newscorpus does not know is refused."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from newscorpus.dask_engine import DaskEngine

    dataset = tmp_path / "news.parquet"
    build(Inputs(SEEDS), dataset, engine=DaskEngine(client)).close()

    def read() -> tuple:
        with Corpus.open(dataset) as corpus:
            found = corpus.blocks()
            return found, [corpus.variants(block.id) for block in found]

    before, exported = read(), _export(dataset)
    assert sum(len(variants) for variants in before[1]) > len(before[0]) > 0
    parts = sorted((dataset / "variants").glob("part-*.parquet"))
    assert parts  # a part per part of the blocks' shuffle
    one = pa.concat_tables([pq.read_table(part) for part in parts])
    pq.write_table(one, dataset / "variants.parquet")
    shutil.rmtree(dataset / "variants")
    info = json.loads((dataset / "_info.json").read_text(encoding="utf-8"))
    for version in (1, 3):
        info["schema_version"] = version
        (dataset / "_info.json").write_text(json.dumps(info), encoding="utf-8")
        if version == 1:
            assert read() == before and _export(dataset) == exported
    with pytest.raises(StoreError, match="version 3 is not supported .*reads versions 1, 2"):
        Corpus.open(dataset)


def test_the_workers_refuse_segments_that_do_not_rebuild_an_article(client, tmp_path, monkeypatch):
    """The workers make each article's segments from the runs they found, placed in the blocks
    as this process tells them, and check them against the text they hold, as the local
    engine does: a run whose block is given wordings that are not its runs' fails the build,
    and the dataset already there is left as it was."""
    from newscorpus import dask_engine
    from newscorpus.dask_engine import DaskEngine

    dataset = tmp_path / "news.parquet"
    build(Inputs(SEEDS), dataset, engine=DaskEngine(client)).close()
    before = _export(dataset)
    place = dask_engine._WorkerRuns.place

    def misworded(self, placed, ranked):
        # The first block found is given a wording that none of its runs covers, in place of
        # its own.
        first = min(placed, key=lambda b: (placed[b], b))
        place(self, placed, {**ranked, first: (("not a wording of this block", 1),)})

    monkeypatch.setattr(dask_engine._WorkerRuns, "place", misworded)
    with pytest.raises(EngineError, match="segments do not rebuild article"):
        build(Inputs(SEEDS), dataset, engine=DaskEngine(client))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["news.parquet"]
    assert _export(dataset) == before
    # Nor do the workers keep the runs of the build that failed.
    assert set(client.run(lambda: len(dask_engine._RUNS)).values()) == {0}


def test_a_worker_killed_between_two_steps_of_the_runs_is_replaced(
    generated, generated_local, tmp_path, monkeypatch
):
    """The units' clusters go to the workers once for the steps that find the backgrounds,
    the furniture lines and the runs: a worker killed (SIGKILL) after one step, holding some
    of them and the runs it found, makes the next step send them again, and the dataset is
    the local engine's store."""
    from newscorpus import dask_engine

    killed: list[int] = []
    cut_rows = dask_engine._WorkerRuns._cut_rows

    def killing_first(self, again):
        if not killed:
            killed.append(_kill_a_holder(self.engine.client, self._sent_pieces[:1]))
        return cut_rows(self, again)

    monkeypatch.setattr(dask_engine._WorkerRuns, "_cut_rows", killing_first)
    _parquet_build_outlives(killed, generated, generated_local, tmp_path)
