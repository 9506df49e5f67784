"""Build a store from documents: read, segment and extract metadata, find blocks and copies,
and write every article as segments.

>>> # corpus = build(iter_documents("seeds/"), "seeds.db")
"""

from __future__ import annotations

import concurrent.futures
import concurrent.futures.process
import contextlib
import itertools
import json
import multiprocessing
import operator
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs
import numpy as np
import regex

from newscorpus.arrays import KeyIndex, first_new
from newscorpus.blocks import (
    UNIT_RECORD,
    Analysis,
    Detector,
    PairFinder,
    Prepared,
    prepare,
    same_segments,
    signed_units,
)
from newscorpus.document import Document, text_length
from newscorpus.errors import EngineError, InputError, StoreError
from newscorpus.meta import Meta, extract
from newscorpus.minhash import Signer
from newscorpus.parquet import ParquetWriter, is_parquet
from newscorpus.readers import Inputs, ReadMeter
from newscorpus.settings import Settings
from newscorpus.store import (
    Corpus,
    StoredBatch,
    StoreUpdater,
    StoreWriter,
    checksum,
    make_edit,
    wording_key,
)
from newscorpus.tables import collector_paused, give_back_memory

_ISO_DATE = regex.compile(r"^(\d{4})-(\d{2})-(\d{2})")
_DMY_DATE = regex.compile(r"^(\d{1,2})-([A-Za-z]{3})-(\d{4})")
_MONTHS = {
    m: i
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1
    )
}
_COMMIT_EVERY = 2000


def field_date(value: Any) -> str | None:
    """An ISO date from a source's date field, or None if it is not one we read.

    >>> field_date("2018-07-15T07:54:28-04:00"), field_date("26-FEB-1987 15:01:01.79")
    ('2018-07-15', '1987-02-26')
    >>> field_date("yesterday") is None
    True
    """
    if not isinstance(value, str):
        return None
    if m := _ISO_DATE.match(value):
        return m.group(0)
    if (m := _DMY_DATE.match(value)) and m.group(2).lower() in _MONTHS:
        return f"{m.group(3)}-{_MONTHS[m.group(2).lower()]:02d}-{int(m.group(1)):02d}"
    return None


def _fill_meta(meta: Meta, fields: dict[str, Any]) -> Meta:
    """Fill what the text did not say from the source's own fields of the same name."""
    updates: dict[str, Any] = {}
    if meta.date is None and (d := field_date(fields.get("date"))):
        updates["date"] = d
    for key in ("place", "source", "author", "title"):
        if getattr(meta, key) is None and isinstance(fields.get(key), str) and fields[key].strip():
            updates[key] = fields[key].strip()
    return attrs.evolve(meta, **updates) if updates else meta


def build(
    docs: Source,
    path: str | Path,
    settings: Settings | None = None,
    *,
    workers: int = 1,
    progress: Callable[[str, int, int | None, int], None] | None = None,
    engine: Engine | None = None,
    meter: ReadMeter | None = None,
) -> Corpus:
    """Find the shared blocks and copies in ``docs`` and write a store at ``path``.

    ``docs`` is documents, or inputs named by path: a path, a list of paths, or `Inputs` (which
    also says how to read them). ``engine`` reads, segments, extracts metadata and signs the
    articles: by default `LocalEngine` with ``workers`` processes; `DaskEngine` on a Dask
    cluster. The result does not depend on the engine or on how many workers it has.
    ``meter`` follows the bytes of the inputs read (see `ReadMeter`). A ``path`` ending in
    ``.parquet`` makes a Parquet dataset (`newscorpus.parquet`), whose articles the Dask
    engine's workers write; other engines and documents from this process refuse it.

    An existing store at ``path`` is replaced only once the new one is complete. Article text
    is streamed: each article's row goes into the new store as it is read, its text to a
    scratch file beside the store (deleted at the end), so memory holds compact per-unit
    tables, not the corpus.
    ``progress(stage, done, total, chars)`` reports the work: stage "reading" (``done``
    articles so far, ``total`` None), "analysing" (once), then "writing" (``done`` of ``total``
    articles); ``chars`` is the text read. An add or remove first reports stage "stored" (the
    stored articles taken up so far), then "reading" counts the new ones only. Returns the
    opened `Corpus`.

    A build, add or remove pauses Python's cyclic garbage collector in this process while it
    runs (`newscorpus.tables.collector_paused`), and leaves it as it found it.
    """
    folder = Path(path).resolve().parent
    if not folder.is_dir():
        raise StoreError(f"{path}: cannot write a store there: {folder} is not a folder")
    source = _source(docs)
    engine = engine or LocalEngine(workers)
    if is_parquet(path):
        if not hasattr(engine, "hold_texts") or not isinstance(source, Inputs):
            raise StoreError(
                f"{path}: a Parquet dataset is written by the Dask engine's workers, from inputs "
                "they read (paths or Inputs): use --engine dask, or a store name not ending "
                "in .parquet"
            )
    elif Path(path).is_dir():
        raise StoreError(f"{path}: is a folder, not a store file")
    with _writing(path):
        if Path(path).exists():
            Corpus.open(path).close()  # replace a store, never another file
        _build(source, path, settings or Settings(), engine, progress, meter)
    return Corpus.open(path)


def add(
    path: str | Path,
    docs: Source,
    *,
    workers: int = 1,
    progress: Callable[[str, int, int | None, int], None] | None = None,
    engine: Engine | None = None,
    meter: ReadMeter | None = None,
) -> Corpus:
    """Add ``docs`` to the store at ``path`` and return it, opened.

    The result is the store that `build` would make from the stored articles followed by
    ``docs``, with the store's settings: new variants join their blocks, a passage that now
    recurs in another story becomes a block in every article carrying it, a copy of a stored
    story is marked as one. A document whose name is stored already is skipped if its text is
    the same (so rerunning an add that was interrupted adds nothing twice) and refused if it
    differs. If nothing is new the store is left as it is.

    Like a build, an add is one commit: a copy of the store is updated beside it (only what
    changed is written: the new articles, the segments that changed, the blocks, the copies)
    and moved into place when complete, so a crash at any point leaves the store as it was,
    and readers keep a consistent view (the old store until they reopen it). One build, add
    or remove writes a store at a time; another one raises `StoreError`. ``docs``, ``engine``
    and ``meter`` are as in `build`.

    The stored articles are not cut or signed again (the store keeps their units and
    signatures), nor read but where the analysis asks for their texts (a run found where a
    stored shared segment is takes the stored wording), and when the new units are few (up to
    3% of all) the LSH bands only the buckets they join (the store keeps its verified pairs).
    The rest of the analysis (clusters, copies, blocks) is redone on every article, which is
    what an add still costs, but for its most costly questions: the store keeps the copies'
    verdicts, the furniture glued to each article's units, each glued block's cuts and the
    signatures of the blocks' most frequent wordings, each by a key of everything it depends
    on, and an add asks again only where that key is new.
    """
    engine = engine or LocalEngine(workers)
    with _writing(path):
        old = Corpus.open(path)
        try:
            stored = old.checksums()
            source = _source(docs)
            if isinstance(source, Inputs):  # read here, to know what is new
                source = source.documents(meter)
            new = _new_documents(source, stored, old.path)
            first = next(new, None)
            if first is None:
                return Corpus.open(path)
            new = itertools.chain([first], new)
            if old.schema_version >= 2:
                _build(new, path, old.settings, engine, progress, stored=old)
            else:  # migrate: the stored articles are prepared again
                docs = itertools.chain(_stored_documents(old), new)
                _build(docs, path, old.settings, engine, progress)
        finally:
            old.close()
    return Corpus.open(path)


def remove(
    path: str | Path,
    names: Iterable[str],
    *,
    workers: int = 1,
    progress: Callable[[str, int, int | None, int], None] | None = None,
) -> Corpus:
    """Remove the articles named ``names`` from the store at ``path`` and return it, opened.

    The result is the store `build` would make from the remaining articles: a block that no
    longer spans two stories goes back to being its article's own text, a copy whose original
    was removed is a copy no more (or of its next copy). A name that is not stored raises
    `StoreError` and changes nothing. One commit, as `add`.
    """
    with _writing(path):
        old = Corpus.open(path)
        try:
            gone = set(names)
            missing = sorted(gone - old.checksums().keys())
            if missing:
                shown = ", ".join(repr(n) for n in missing[:5])
                more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
                raise StoreError(f"{old.path}: no article named {shown}{more}; nothing removed")
            engine = LocalEngine(workers)
            if old.schema_version >= 2:
                _build((), path, old.settings, engine, progress, stored=old, gone=gone)
            else:  # migrate: the remaining articles are prepared again
                kept = (d for d in _stored_documents(old) if d.name not in gone)
                _build(kept, path, old.settings, engine, progress)
        finally:
            old.close()
    return Corpus.open(path)


@contextlib.contextmanager
def _writing(path: str | Path) -> Iterator[None]:
    """Hold the store's write lock, so two commands never write one store at once: a lock
    file beside it (``.NAME.lock``), removed when done. The lock goes with the process that
    holds it, also when it is killed; the file it leaves is used again."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    target = Path(path)
    lock = target.with_name(f".{target.name}.lock")
    busy = StoreError(
        f"{path}: another build, add or remove is writing this store; run this once it has finished"
    )
    try:
        handle = open(lock, "a+b")
    except OSError as exc:
        raise StoreError(f"{path}: cannot lock the store ({exc.strerror})") from None
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise busy from None
        try:
            # The holder before us may have removed the file between our open and our lock.
            if os.fstat(handle.fileno()).st_ino != os.stat(lock).st_ino:
                raise busy
        except FileNotFoundError:
            raise busy from None
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stored_documents(corpus: Corpus) -> Iterator[Document]:
    """The stored articles as the documents they were built from, in store order."""
    for article in corpus.articles():
        yield Document(article.name, article.text, article.fields)


def _new_documents(
    docs: Iterable[Document], stored: dict[str, str], store: Path
) -> Iterator[Document]:
    """``docs`` without those stored already with the same text; one stored with another text
    is refused."""
    for doc in docs:
        known = stored.get(doc.name)
        if known is None:
            yield doc
        elif known != checksum(doc.text):
            raise InputError(
                f"{doc.name!r} is stored in {store} already, with another text; "
                "remove it first to replace it"
            )


@collector_paused()
def _build(
    docs: Iterable[Document] | Inputs,
    path: str | Path,
    settings: Settings,
    engine: Engine,
    progress: Callable[[str, int, int | None, int], None] | None,
    meter: ReadMeter | None = None,
    *,
    stored: Corpus | None = None,
    gone: set[str] = frozenset(),
) -> None:
    """`build`, once the store is locked: on the articles of ``stored`` (as they were
    prepared, not prepared again) but those named in ``gone``, then on ``docs``; with
    Python's cyclic collector paused (`collector_paused`)."""
    started = time.perf_counter()
    folder = Path(path).resolve().parent
    # The local engine finds the pairs here, from every signature at once: they are kept in
    # memory until then. Other engines find them where they read the articles (the Dask
    # engine's workers), and this process's copy goes to a scratch file.
    local = isinstance(engine, LocalEngine)
    detector = Detector(
        settings,
        scratch=folder,
        spool_signatures=not local,
        expected_distinct=_expected_distinct(stored) if stored is not None else 0,
    )
    # An add: the LSH may grow from the stored pairs; a remove: they may shrink.
    detector.known = stored.verified() if stored is not None else None
    # And the analysis asks again only the questions whose inputs changed.
    detector.read_answers = stored.answers if stored is not None else None
    removal = Removal() if gone else None
    writer: Any
    if is_parquet(path):
        writer = ParquetWriter(path, settings, engine)
    elif stored is not None:
        writer = StoreUpdater(path, stored, gone)
    else:
        writer = StoreWriter(path, settings)
    # Where the workers keep the texts they read (a Parquet output), the analysis reads them
    # there, and they never come here.
    text_map = getattr(engine, "text_map", None)
    detector.text_map = text_map() if text_map is not None else None
    run_finder = getattr(engine, "run_finder", None)
    detector.run_finder = run_finder() if run_finder is not None else None
    detector.keep_state = writer.keeps_state
    if stored is not None and detector.text_map is None:
        # The stored texts stay in the store: the analysis reads those it asks for.
        detector.stored_texts = writer.stored_texts
    meta_spans: list[tuple[tuple[int, int], ...]] = []
    lengths: list[int] = []
    chars = 0
    try:
        with engine.prepare(docs, settings, meter) as prepared:
            chars = _take(
                detector,
                writer,
                (meta_spans, lengths),
                stored,
                gone,
                settings,
                prepared,
                progress,
                engine,
                removal,
            )
        if removal is not None:
            detector.removed = (
                removal.renumber,
                np.frombuffer(removal.signatures, dtype=np.uint16).reshape(-1, settings.num_perm),
                removal.order_keys,
            )
        writer.commit()
        if progress is not None:
            progress("analysing", len(meta_spans), None, chars)
        analysis = detector.analyse(engine.pair_finder(settings), getattr(engine, "workers", 1))
        detector.forget_units()
        _write(writer, detector, analysis, meta_spans, lengths, started, progress, chars)
    except BaseException:
        writer.abort()
        raise
    finally:
        engine.release()
        detector.close()
        del detector, writer
        give_back_memory()  # a process that goes on (an API user's) need not keep the peak


def _take(
    detector: Detector,
    writer: StoreWriter,
    taken: tuple[list[tuple[tuple[int, int], ...]], list[int]],
    stored: Corpus | None,
    gone: set[str],
    settings: Settings,
    prepared: Iterator[tuple],
    progress: Callable[[str, int, int | None, int], None] | None,
    engine: Engine,
    removal: Removal | None = None,
) -> int:
    """Give the detector and the store the articles of ``stored`` but those in ``gone``,
    then the ``prepared`` ones, in order, telling ``engine`` which signatures of these were
    kept; ``taken`` gets each article's metadata spans and length. Returns the characters
    taken."""
    meta_spans, lengths = taken
    chars = 0
    replayed = _replay(stored, settings, gone, removal) if stored is not None else iter(())
    if stored is not None:  # the stored wordings are read once the LSH is done
        detector.read_wordings = stored.wording_texts
        detector.damaged = lambda article: StoreError(
            f"{stored.path}: article {detector.names[article]!r} is damaged; build it again"
        )
    for batch, ready in replayed:
        first = len(meta_spans)
        detector.add(ready, [""] * len(batch.ids), batch.names, batch.dates, replayed=True)
        detector.stored_runs.extend(batch.shared_counts, *batch.shared)
        # Their rows are in the store already (see `StoreUpdater`).
        for article, stored_id in enumerate(batch.ids, first):
            writer.keep(article, stored_id)
        for i, changed in enumerate(batch.changed or ()):
            if changed:  # it took over signatures of a removed article
                writer.add_prepared(first + i, ready.record(i).tobytes(), batch.signatures[i])
        meta_spans.extend(batch.meta_spans)
        lengths.extend(batch.lengths)
        chars += sum(batch.lengths)
        if progress is not None:
            progress("stored", len(meta_spans), None, chars)
    n_stored, stored_chars = len(meta_spans), chars
    for batch, batch_metas, batch_spans, ready in prepared:
        kept = detector.add(
            ready,
            [d.text for d in batch],
            [d.name for d in batch],
            [m.date for m in batch_metas],
        )
        engine.taken(kept)
        for i, (doc, meta, spans) in enumerate(zip(batch, batch_metas, batch_spans)):
            article = len(meta_spans)
            writer.add_article(article, doc.name, doc.text, meta, dict(doc.fields))
            writer.add_prepared(
                article, ready.record(i).tobytes(), ready.signatures[kept[i]].tobytes()
            )
            meta_spans.append(tuple(spans))
            lengths.append(text_length(doc))
            chars += lengths[-1]
        if progress is not None:
            progress("reading", len(meta_spans) - n_stored, None, chars - stored_chars)
    return chars


_BATCH = 256
Source = Iterable[Document] | Inputs | str | os.PathLike | Sequence[str | os.PathLike]


class Engine(Protocol):
    """What reads, segments, extracts metadata and signs the articles of a build."""

    def prepare(
        self, docs: Iterable[Document] | Inputs, settings: Settings, meter: ReadMeter | None
    ) -> contextlib.AbstractContextManager[Iterator[tuple]]:
        """The articles in batches, in input order, each ``(documents, metas, metadata spans,
        Prepared)`` as `_prepare_batch` makes them; names checked unique and
        lengths at most ``settings.max_article_chars`` (`InputError` otherwise)."""
        ...

    def taken(self, kept: list[np.ndarray]) -> None:
        """The build kept these rows of the last batch's signatures, per article."""
        ...

    def pair_finder(self, settings: Settings) -> PairFinder | None:
        """What finds the verified pairs of signed units (`Detector.analyse`), or None for the
        build's own process."""
        ...

    def release(self) -> None:
        """Let go of what the build no longer needs."""
        ...


@attrs.frozen
class LocalEngine:
    """The engine of one machine: ``workers`` processes (one: this process) prepare the
    articles, read here."""

    workers: int = 1

    @contextlib.contextmanager
    def prepare(
        self, docs: Iterable[Document] | Inputs, settings: Settings, meter: ReadMeter | None
    ) -> Iterator[Iterator[tuple]]:
        if isinstance(docs, Inputs):
            docs = docs.documents(meter)
        batches = _batches(docs, set(), settings.max_article_chars)
        first = list(itertools.islice(batches, 2))
        batches = itertools.chain(first, batches)
        if self.workers <= 1 or len(first) <= 1:  # one batch is done sooner than processes start
            _init_worker(settings)
            yield (
                (batch, *_prepare_batch([(d.text, dict(d.fields)) for d in batch]))
                for batch in batches
            )
            return
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        # An executor, not a `multiprocessing.Pool`: a worker that dies fails what it was
        # preparing (`BrokenProcessPool`: the build fails, `EngineError`), where a pool waits
        # for its result for ever; and stopping it cancels what waits and lets the running
        # batches end, where `Pool.terminate` can race its own threads.
        pool = concurrent.futures.ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=_init_worker, initargs=(settings,)
        )
        try:
            yield _parallel(pool, self.workers, batches)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def taken(self, kept: list[np.ndarray]) -> None:
        pass

    def pair_finder(self, settings: Settings) -> PairFinder | None:
        return None  # the build's process has the signatures

    def release(self) -> None:
        pass


def _source(docs: Source) -> Iterable[Document] | Inputs:
    """Documents, or the inputs named by a path or a list of paths."""
    if isinstance(docs, (str, os.PathLike)):
        return Inputs([docs])
    if (
        isinstance(docs, (list, tuple))
        and docs
        and all(isinstance(d, (str, os.PathLike)) for d in docs)
    ):
        return Inputs(docs)
    return docs  # type: ignore[return-value]


_worker_signer: Signer | None = None
_worker_settings: Settings | None = None


def _batches(docs: Iterable[Document], names: set[str], max_chars: int) -> Iterator[list[Document]]:
    """Documents in batches, refusing a name seen before and an article too long to prepare."""
    batch: list[Document] = []
    for doc in docs:
        if doc.name in names:
            raise InputError(f"two articles are named {doc.name!r}; names must be unique")
        if len(doc.text) > max_chars:
            raise InputError(
                f"{doc.name!r} has {len(doc.text):,} characters, more than a build takes "
                f"({max_chars:,}, Settings.max_article_chars): preparing it would need about "
                f"{len(doc.text) * 50 / 1e9:.1f} GB of memory"
            )
        names.add(doc.name)
        batch.append(doc)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _init_worker(settings: Settings) -> None:
    global _worker_signer, _worker_settings
    _worker_settings = settings
    _worker_signer = Signer(settings.shingle_size, settings.num_perm, settings.seed)


def _ready_worker(settings: Settings) -> None:
    """Set a long-lived worker (a Dask worker's process) up for ``settings``, once."""
    if _worker_settings != settings:
        _init_worker(settings)


def _replay(
    stored: Corpus,
    settings: Settings,
    gone: set[str] = frozenset(),
    removal: Removal | None = None,
) -> Iterator[tuple[StoredBatch, Prepared]]:
    """The articles of a store but those named in ``gone``, in batches (`StoredBatch`), each
    with its articles prepared as `_prepare_batch` gives new ones, from what the store kept
    of them. ``removal``: see `_without`."""
    batches = stored.prepared_batches(_BATCH)
    if gone:
        batches = _without(batches, gone, settings, removal, _expected_distinct(stored))
    for batch in batches:
        yield batch, Prepared.unpack(batch.units, batch.signatures, settings.num_perm)


def _expected_distinct(stored: Corpus) -> int:
    """How many distinct units the store's last analysis found (its stats), as far as the
    store's size allows (each is in it as a unit record at least): a hint for the key
    index's size, never taken beyond that."""
    found = stored.stats.get("distinct_units")
    if type(found) is not int or found < 0:
        return 0
    return min(found, os.path.getsize(stored.path) // UNIT_RECORD.itemsize)


@attrs.define
class Removal:
    """What a remove takes from the stored signed units (`_without` fills it in, once it has
    gone through the stored articles), so that the stored LSH pairs shrink instead of every
    unit being banded again (`newscorpus.blocks.shrunk_pairs`): ``renumber``, each stored
    signed unit's number among those left (-1 for a unit only removed articles carried);
    ``signatures`` (rows of uint16) and ``order_keys`` of those units, in their stored order."""

    renumber: np.ndarray = attrs.field(factory=lambda: np.zeros(0, dtype=np.int64))
    signatures: bytes = b""
    order_keys: np.ndarray = attrs.field(factory=lambda: np.zeros(0, dtype=np.uint64))


def _without(
    batches: Iterator[StoredBatch],
    gone: set[str],
    settings: Settings,
    removal: Removal | None = None,
    expected: int = 0,
) -> Iterator[StoredBatch]:
    """The stored articles not named in ``gone``, each with the signatures that a build on
    them alone keeps with it (``changed`` where they are not the stored ones); at the end,
    ``removal`` is filled in. ``expected``: about how many distinct signed units there are
    (`KeyIndex`).

    A store keeps a unit's signature with the first article that carried it. Where that
    article is removed, the unit's next carrier takes the signature over.
    """
    # Every signed unit's key, removed articles' too, numbered in the order of its first
    # carrier: its number in the store. And per number: its number among the units of the
    # articles left (-1 until one carries it), whether its first carrier is removed, and the
    # stored signature of such a unit that no article left has taken over yet.
    seen = KeyIndex(expected)
    renumber = np.zeros(0, dtype=np.int64)
    orphaned = np.zeros(0, dtype=bool)
    orphans: dict[int, bytes] = {}
    kept = 0
    width = 2 * settings.num_perm
    for batch in batches:
        low, high, bounds = _signed_keys(batch, settings)
        before = len(seen)
        number = seen.add(low, high)
        if len(seen) > len(renumber):
            size = max(len(seen), 2 * len(renumber))
            renumber = np.r_[renumber, np.full(size - len(renumber), -1, dtype=np.int64)]
            orphaned = np.r_[orphaned, np.zeros(size - len(orphaned), dtype=bool)]
        is_gone = [name in gone for name in batch.names]
        removed = np.repeat(np.array(is_gone, dtype=bool), np.diff(bounds))
        # A unit's first carrier: the position where a number new here first appears.
        first_seen = np.zeros(len(number), dtype=bool)
        first_seen[first_new(number, before)] = True
        orphaned[number[first_seen & removed]] = True
        # Where an article left carries a unit first among the articles left: it keeps the
        # unit's signature, its own or, for a unit first carried by a removed article, taken
        # over from it.
        left = np.flatnonzero(~removed & (renumber[number] < 0))
        _, firsts = np.unique(number[left], return_index=True)
        keeps = np.zeros(len(number), dtype=bool)
        keeps[np.sort(left[firsts])] = True
        renumber[number[keeps]] = np.arange(kept, kept + int(keeps.sum()))
        kept += int(keeps.sum())
        takes_over = keeps & orphaned[number]
        # The articles that take a unit over (each article's signed units are a run of them).
        taking = np.zeros(len(batch.names), dtype=bool)
        taking[np.repeat(np.arange(len(batch.names)), np.diff(bounds))[takes_over]] = True
        stays, signatures, changed = [], [], []
        for i, (stored, takes) in enumerate(zip(batch.signatures, taking.tolist())):
            if not is_gone[i] and not takes:
                # It takes no unit over: its signatures are those of the units it carries
                # first, as the store kept them.
                stays.append(i)
                signatures.append(stored)
                changed.append(False)
                continue
            lo, hi = bounds[i], bounds[i + 1]
            own = first_seen[lo:hi]
            if is_gone[i]:
                for k, n in enumerate(number[lo:hi][own].tolist()):
                    orphans[n] = stored[k * width : (k + 1) * width]
                continue
            stays.append(i)
            row_of = np.cumsum(own) - 1  # of the units it carries first, the stored rows
            rows = [
                orphans.pop(n) if taken else stored[r * width : (r + 1) * width]
                for n, taken, r in zip(
                    number[lo:hi][keeps[lo:hi]].tolist(),
                    takes_over[lo:hi][keeps[lo:hi]].tolist(),
                    row_of[keeps[lo:hi]].tolist(),
                )
            ]
            signatures.append(b"".join(rows))
            changed.append(signatures[-1] != stored)
        if stays:
            yield batch.select(stays, signatures, changed)
    if removal is not None:
        removal.renumber = renumber[: len(seen)]
        # What is left of the orphans: units no article left carries, in their stored order.
        gone_numbers = np.fromiter(orphans, dtype=np.int64, count=len(orphans))
        removal.signatures = b"".join(orphans.values())
        removal.order_keys = seen.keys()[1][gone_numbers] >> np.uint64(1)


def _signed_keys(batch: StoredBatch, settings: Settings) -> tuple[np.ndarray, np.ndarray, list]:
    """The keys (``key_low``, ``key_high``) of the batch's articles' signed units, in order,
    and where each article's start (and, last, where they end)."""
    records = np.frombuffer(b"".join(batch.units), dtype=UNIT_RECORD)
    sizes = [len(units) // UNIT_RECORD.itemsize for units in batch.units]
    signed = signed_units(records["n_words"], records["figure"], settings.min_minhash_words)
    # Each article's signed units: from the count of signed units before its first unit.
    bounds = np.r_[0, np.cumsum(signed)][np.r_[0, np.cumsum(sizes)]].tolist()
    return records["key_low"][signed], records["key_high"][signed], bounds


def _prepare_batch(
    batch: Sequence[tuple[str, dict[str, Any]]],
) -> tuple[list[Meta], list[list[tuple[int, int]]], Prepared]:
    """Metadata, metadata spans and prepared units of a batch of ``(text, fields)``."""
    settings, signer = _worker_settings, _worker_signer
    if settings is None or signer is None:
        raise RuntimeError("_init_worker was not called")
    metas, spans = [], []
    for text, doc_fields in batch:
        meta, meta_spans = extract(text)
        metas.append(_fill_meta(meta, doc_fields))
        spans.append(meta_spans)
    ready = prepare([t for t, _ in batch], spans, signer, settings)
    return metas, spans, ready


def _parallel(pool: Any, workers: int, batches: Iterator[list[Document]]) -> Iterator[tuple]:
    """Prepare batches in the pool, a few ahead of the consumer, in input order; if one of its
    processes died, the build fails."""
    pending: deque = deque()
    ahead = 4 * workers
    try:
        for batch in batches:
            rows = [(d.text, dict(d.fields)) for d in batch]
            pending.append((batch, pool.submit(_prepare_batch, rows)))
            if len(pending) >= ahead:
                done_batch, result = pending.popleft()
                yield (done_batch, *result.result())
        while pending:
            done_batch, result = pending.popleft()
            yield (done_batch, *result.result())
    except concurrent.futures.process.BrokenProcessPool as error:
        raise EngineError(f"a process preparing the articles died ({error})") from None


def _write(
    writer: StoreWriter,
    detector: Detector,
    analysis: Analysis,
    meta_spans: Sequence[Sequence[tuple[int, int]]],
    lengths: Sequence[int],
    started: float,
    progress: Callable[[str, int, int | None, int], None] | None,
    chars_read: int,
) -> None:
    """Write the blocks, every article's segments and the copies, then close the store.
    Where the texts stayed on the workers (`Detector.text_map`), the workers make the
    segments and write them with the texts, and the blocks' variants, which they hold
    (`newscorpus.parquet`)."""
    block_rows = []
    known = writer.known_edits()
    # Per block (by its position), the key of each variant's text, which segments name it by.
    keys = [[wording_key(text) for text, _ in block.variants] for block in analysis.blocks]
    for block, found in zip(analysis.blocks, keys):
        if len(set(found)) != len(found):  # 64-bit hashes of a few texts: never seen
            raise RuntimeError(f"internal error: two wordings of block {block.id} share a key")
    for rank, block in enumerate(analysis.blocks):
        block_rows.append(
            (
                block.id,
                rank,
                block.canonical,
                block.articles,
                block.n_variants,
                block.first_date,
                block.last_date,
            )
        )

    def variant_rows() -> Iterator[tuple]:
        """Each block's variants, in order, made as the writer takes them (their edits are
        the largest part of what the writing holds: 512,822 at 1 GB)."""
        for block, found in zip(analysis.blocks, keys):
            stored_canonical, stored = known.get(block.id, ("", {}))
            if stored_canonical != block.canonical:
                stored = {}
            for i, ((text, count), key) in enumerate(zip(block.variants, found)):
                edit = stored.get(text) or _json(make_edit(block.canonical, text))
                yield (block.id, i, key, edit, count)

    # Where the workers hold the wordings, they write the variants (`ParquetWriter.add_runs`).
    writer.add_blocks(block_rows, variant_rows() if analysis.held_runs is None else ())
    del block_rows

    n = len(meta_spans)
    if analysis.held_runs is not None:
        shared = analysis.held_runs.shared_chars
    else:
        _, starts, ends, _, _ = analysis.run_columns
        shared = int((ends - starts).sum())
    meta = sum(end - start for spans in meta_spans for start, end in spans)
    totals = {"novel": sum(lengths) - shared - meta, "shared": shared, "meta": meta}
    ids = [block.id for block in analysis.blocks]
    if analysis.held_runs is not None:
        # The runs, the texts and the wordings are on the workers: they make each article's
        # segments, and check them against its text, as they write it
        # (`ParquetWriter.add_runs`).
        writer.add_runs(meta_spans, ids)
        if progress is not None:
            progress("writing", n, n, chars_read)
    else:
        texts = [[text for text, _ in block.variants] for block in analysis.blocks]
        table = WordingTable(ids, keys, texts)
        wordings = table.wordings()
        # Per stored article, whether its shared segments stay: then it is not written
        # again (`StoreUpdater.unchanged`), nor read.
        same = same_segments(detector.stored_runs, analysis.run_columns, ids, keys).tolist()
        for lo in range(0, n, _COMMIT_EVERY):
            articles = range(lo, min(n, lo + _COMMIT_EVERY))
            changed = [a for a in articles if not writer.unchanged(a, a < len(same) and same[a])]
            for a, text in zip(changed, detector.read_texts(changed)):
                runs = analysis.runs_of(a)
                writer.add_segments(a, segments_of(text, a, meta_spans[a], runs, table, wordings))
            writer.commit()
            if progress is not None:
                progress("writing", articles[-1] + 1, n, chars_read)
    writer.set_duplicates([(a, d) for a, d in enumerate(analysis.duplicate_of) if d >= 0])
    writer.set_verified(*detector.verified)
    writer.set_answers(detector.answers)
    total = sum(totals.values()) or 1
    stats = {
        "articles": n,
        "blocks": len(analysis.blocks),
        "duplicates": sum(1 for d in analysis.duplicate_of if d >= 0),
        "chars": sum(totals.values()),
        "shared_share": round(totals["shared"] / total, 4),
        "meta_share": round(totals["meta"] / total, 4),
        **analysis.stats,
        "seconds": round(time.perf_counter() - started, 3),
    }
    writer.close(stats)


def _placed(
    meta_spans: Sequence[tuple[int, int]],
    runs: Sequence[tuple[int, int, int, int]],
    ids: Sequence[str],
    keys: Sequence[Sequence[int]],
) -> list[tuple[int, int, str, str | None, int | None]]:
    """An article's metadata and shared segments, in order, as ``(start, end, kind, block_id,
    wording)``, a wording by its key (``keys``: per block, each variant's; ``ids``: each
    block's id). The rest is novel text (`_with_gaps`)."""
    marks: list[tuple[int, int, str, str | None, int | None]] = [
        (s, e, "meta", None, None) for s, e in meta_spans
    ]
    marks += [(s, e, "shared", ids[b], keys[b][v]) for s, e, b, v in runs]
    if meta_spans:  # else the runs are in order already
        marks.sort(key=operator.itemgetter(0, 1))
    return marks


def _with_gaps(
    placed: Sequence[tuple[int, int, str, str | None, int | None]], length: int
) -> list[tuple[int, int, str, str | None, int | None]]:
    """The segments covering an article's text, of ``length`` characters, in order: the
    ``placed`` ones (`_placed`), and the novel text between them."""
    marks: list[tuple[int, int, str, str | None, int | None]] = []
    pos = 0
    for mark in placed:
        if mark[0] > pos:
            marks.append((pos, mark[0], "novel", None, None))
        marks.append(mark)
        pos = mark[1]
    if pos < length:
        marks.append((pos, length, "novel", None, None))
    return marks


@attrs.frozen
class WordingTable:
    """The blocks' wordings, by a block's position: each block's id, the key of each of its
    wordings (which segments name a wording by), and their texts."""

    ids: Sequence[str]
    keys: Sequence[Sequence[int]]
    texts: Sequence[Sequence[str]]

    def wordings(self) -> _Wordings:
        """Per block id, the texts of its wordings by key (what `_segments` checks shared
        segments against)."""
        return _Wordings(self)


class _Wordings(dict):
    """Per block id, the texts of its wordings by key, made for a block when first asked for:
    an add writes the segments of a few articles of the store, which name few of its blocks
    (at 1 GB, 90,425 blocks with 512,822 wordings)."""

    def __init__(self, table: WordingTable) -> None:
        super().__init__()
        self._table = table
        self._rank = {block_id: rank for rank, block_id in enumerate(table.ids)}

    def __missing__(self, block_id: str) -> dict[int, str]:
        rank = self._rank[block_id]
        found = dict(zip(self._table.keys[rank], self._table.texts[rank]))
        self[block_id] = found
        return found


def segments_of(
    text: str,
    article: int,
    meta_spans: Sequence[tuple[int, int]],
    runs: Sequence[tuple[int, int, int, int]],
    table: WordingTable,
    wordings: dict[str, dict[int, str]],
) -> list[tuple]:
    """Article ``article``'s segment rows (`_segments`), from its metadata spans and its shared
    runs ``(start, end, block, variant)`` (a block by its position in ``table``), checked to
    rebuild its ``text`` (``wordings``: ``table.wordings()``)."""
    marks = _with_gaps(_placed(meta_spans, runs, table.ids, table.keys), len(text))
    return _segments(text, marks, article, wordings)


def _segments(
    text: str, marks: Sequence[tuple], article: int, wordings: dict[str, dict[int, str]]
) -> list[tuple]:
    """Segment rows ``(start, end, kind, text_or_None, block_id, wording)`` of the ``marks``
    (`_with_gaps`); checked to rebuild ``text`` exactly, each shared one from its wording's text
    (``wordings``: by block id, the texts of its wordings by key)."""
    rows = [
        (start, end, kind, None if kind == "shared" else text[start:end], block, wording)
        for start, end, kind, block, wording in marks
    ]
    rebuilt = "".join(r[3] if r[2] != "shared" else wordings[r[4]][r[5]] for r in rows)
    if rebuilt != text or any(r[0] >= r[1] for r in rows):
        raise RuntimeError(f"internal error: segments do not rebuild article {article}: {marks}")
    return rows


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def default_workers() -> int:
    """All cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
