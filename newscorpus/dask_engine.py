"""The build on a Dask cluster (``pip install "newscorpus[dask]"``).

The workers read the inputs, piece by piece (`newscorpus.pieces`: byte ranges of containers and
JSON lines that start at a record, runs of a folder's files), and segment, extract metadata and
sign the articles of each piece. They keep the signatures and run the LSH: banding as a shuffle
on band keys, then candidate verification (`pair_finder`). This process puts the pieces back in
input order, checks the names as a local read does, runs the rest of the analysis (clusters
from the verified pairs, copies, which clusters make which blocks) and writes the store.

For a Parquet output (`newscorpus.parquet`) the articles stay on the workers that read them
(their texts, metadata, source fields and units, `_Held`), which number the units by their
keys (`DaskEngine._number_units`): this process receives each article's name and length, and
how many distinct units it brings, and nothing of the units or distinct units; the LSH's
groups hold each signed unit's distinct id, order key and word count, keep the verified pairs
where they were verified and cluster them there (`DaskEngine._linked_held`): this process
receives the paired units' clusters, no pair. From those clusters, which this process sends
them, the workers make each unit's
cluster and find the clusters two articles carry, with each one's order key and figures flag
(`run_finder`, `_WorkerRuns`), and answer what the analysis asks of the units and texts: the
copies' heads, the groups of articles with the same words (their digests meet in parts), and
the copies' verdicts (the profiles of the articles paired, and the facts of the passages they
share, meet where each pair is judged), the backgrounds' copy groups, the furniture lines,
the neighbouring and separated background clusters, and the shared runs, which a worker finds
for its pieces and keeps. The distinct wordings of the blocks glued to other text meet in
parts of the blocks and are cut there; the runs are cut, and their wordings counted in parts
of the blocks, which keep them. This process receives each block's most frequent wording and
how many it has, the carriers of the blocks similar enough to join and the wordings of those
joined, and per block how many articles carry it and their first and last dates; it decides
the copies and makes the blocks, and the workers write the articles with their segments
placed in the blocks (knowing each block's wordings by their keys), each checked to rebuild
its text.
Either way the store is the one the local engine writes, byte for byte in its export.

    from distributed import Client
    from newscorpus import build
    from newscorpus.dask_engine import DaskEngine

    with Client("tcp://scheduler:8786") as client:
        build("crawl.jsonl", "crawl.db", engine=DaskEngine(client))

Tasks are pure, so a worker lost mid-build has its pieces read again by another worker; if
the cluster cannot finish (no workers left, a piece failing on several workers in turn),
the build raises `EngineError` and writes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import operator
import pickle
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import attrs
import numpy as np

from newscorpus.arrays import first_new, isin_sorted, positions, unique, unique_pairs
from newscorpus.blocks import (
    _FURNITURE_ARTICLES,
    _VERIFY_BATCH,
    FRESH_COUNTS,
    UNIT_RECORD,
    Carriers,
    GluedPairs,
    PairFinder,
    Prepared,
    RunFinder,
    TextMap,
    _facts_agree,
    _forest,
    _is_copy,
    _linked_forest,
    _passage_facts,
    _Runs,
    _span_words,
    _strict_verdict,
    _unit_facts,
    _variants,
    apply_cuts,
    article_heads,
    article_profiles,
    carriers_by_block,
    cluster_groups,
    content_digests,
    find_runs,
    glued_blocks,
    glued_cuts,
    glued_pairs,
    joined_pairs,
    merged_groups,
    passage_units,
    runs_with_texts,
    separated_pairs,
    signed_units,
    similarity,
    sparse_block_codes,
)
from newscorpus.build import (
    _BATCH,
    _batches,
    _placed,
    _prepare_batch,
    _ready_worker,
    _segments,
    _with_gaps,
)
from newscorpus.document import Document, HeldDocument
from newscorpus.errors import EngineError, NewsCorpusError
from newscorpus.lsh import band_key, bucket_pairs, decode_pairs, pair_codes
from newscorpus.parquet import write_part, write_variants
from newscorpus.pieces import Assembler, Piece, plan, read
from newscorpus.readers import Inputs, ReadMeter, input_size
from newscorpus.settings import Settings
from newscorpus.store import wording_key

_NO_WORKERS_TIMEOUT = "60s"
_MIN_PIECE = 1 << 20
_MAX_PIECE = 32 << 20


@attrs.define
class DaskEngine:
    """Read, segment, extract metadata, sign and run the LSH on the workers of a Dask
    ``client`` (see the module's docstring).

    ``piece_bytes``: how much input one task reads; by default a quarter of the input per
    worker, between 1 and 32 MB. ``ahead``: pieces read ahead of the one being taken up here
    (by default two per worker); their results wait on the workers.
    """

    client: Any
    piece_bytes: int | None = None
    ahead: int | None = None
    #: What the last build did: ``pieces`` read, ``task_seconds`` the workers spent reading and
    #: preparing them, ``waited_seconds`` this process spent waiting for them, ``received_bytes``
    #: the size of their results (pickled, as Dask sends them).
    stats: dict[str, float] = attrs.field(factory=dict)
    # Where the signatures of the last build wait on the workers (see `pair_finder`).
    _shards: list[_Shard] = attrs.field(factory=list, init=False, repr=False)
    _batch_places: deque = attrs.field(factory=deque, init=False, repr=False)
    _signed: int = attrs.field(default=0, init=False, repr=False)
    # The articles of each piece read (`_Held`), held on its worker for a Parquet output:
    # (future, count).
    _texts: list[tuple[Any, int]] = attrs.field(factory=list, init=False, repr=False)
    # Per piece held, its units' numbers there (`_number_units`), and the first number it gave.
    _numbers: list[Any] = attrs.field(factory=list, init=False, repr=False)
    _first_numbers: list[int] = attrs.field(factory=list, init=False, repr=False)
    _distinct_total: int = attrs.field(default=0, init=False, repr=False)  # numbers given
    # The shared runs the workers found for the analysis, which they write (`write_parts`).
    _runs: _WorkerRuns | None = attrs.field(default=None, init=False, repr=False)
    _holding_texts: bool = attrs.field(default=False, init=False, repr=False)

    @contextlib.contextmanager
    def prepare(
        self, docs: Iterable[Document] | Inputs, settings: Settings, meter: ReadMeter | None
    ) -> Iterator[Iterator[tuple]]:
        pending: deque = deque()
        self._clear()
        self.stats = {"pieces": 0, "task_seconds": 0.0, "waited_seconds": 0.0, "received_bytes": 0}
        try:
            if isinstance(docs, Inputs):
                yield self._from_inputs(docs, settings, meter, pending)
            else:
                yield self._from_documents(docs, settings, pending)
        finally:
            futures = [f for item in pending for f in item if hasattr(f, "cancel")]
            if futures:
                with contextlib.suppress(Exception):
                    self.client.cancel(futures)

    # -- inputs read on the workers -------------------------------------------------------------

    def _from_inputs(
        self, inputs: Inputs, settings: Settings, meter: ReadMeter | None, pending: deque
    ) -> Iterator[tuple]:
        pieces = self._call(plan, inputs, self._piece_bytes(inputs), self._run)
        assembler = Assembler(inputs, meter, settings.max_article_chars)
        names: set[str] = set()
        read = (
            self._read_and_numbered(pieces, inputs, settings, pending)
            if self._holding_texts
            else self._read_ahead(pieces, inputs, settings, pending)
        )
        for piece, fetched, signatures, held in read:
            done, prepared = self._received(fetched)
            self._keep_signatures(signatures, [batch[2] for _, batch in prepared])
            if held is not None:
                self._texts.append((held, len(done.docs)))
            documents = assembler.documents(piece, done)
            for i, (count, batch) in enumerate(prepared):
                docs = list(itertools.islice(documents, count))
                # The names are unique once assembled; checked as a local build checks them.
                for _ in _batches(docs, names, settings.max_article_chars):
                    pass
                if i == len(prepared) - 1:
                    _finish(documents)
                yield (docs, *batch)
            if not prepared:
                _finish(documents)

    def _read_ahead(
        self, pieces: list[Piece], inputs: Inputs, settings: Settings, pending: deque
    ) -> Iterator[tuple]:
        """Per piece, in order: its piece, its result (`_read_piece`), its signatures there,
        and None; `_ahead` pieces are read ahead of the one whose result is taken."""
        waiting = iter(pieces)
        for piece in itertools.islice(waiting, self._ahead()):
            pending.append((piece, self._submit(_read_piece, piece, inputs, settings)))
        while pending:
            piece, future = pending.popleft()
            signatures = self._submit(_signatures_of, future, "piece")
            for later in itertools.islice(waiting, 1):
                pending.append((later, self._submit(_read_piece, later, inputs, settings)))
            yield piece, future, signatures, None

    def _read_and_numbered(
        self, pieces: list[Piece], inputs: Inputs, settings: Settings, pending: deque
    ) -> Iterator[tuple]:
        """Per piece, in order, for a Parquet output, whose articles stay on the workers: its
        piece, its result without texts or signatures and with its units numbered
        (`_numbered`), its signatures there (this process needs none: the LSH runs on the
        workers, and nothing is kept for an add), and its articles held (`_Held`). Every
        piece is read first: the units are numbered by their keys, as `Detector.add` numbers
        them, on the workers (`_number_units`), and what this process receives of the units
        is, per article, how many distinct units it brings and how many are signed
        (`FRESH_COUNTS`)."""
        for piece in pieces:
            future = self._submit(_read_piece, piece, inputs, settings)
            made = [self._submit(f, future) for f in (_lean, _held_of)]
            made.append(self._submit(_signatures_of, future, "piece"))
            # Cancelled if the build stops before it takes them; its result goes, once the
            # results made of it are made.
            pending.append(made)
            del future
        numbers, bases = self._number_units([held for _, held, _ in pending])
        for piece, ids, base in zip(pieces, numbers, bases):
            lean, held, signatures = pending.popleft()
            self._numbers.append(ids)
            self._first_numbers.append(base)
            numbered = self._submit(_numbered, lean, ids, base, settings.min_minhash_words)
            yield piece, numbered, signatures, held

    def _number_units(self, held: list[Any]) -> tuple[list[Any], list[int]]:
        """Each unit of the pieces ``held`` numbered by its key in the order the keys first
        come, piece after piece (a unit without words: -1): a shuffle of each piece's distinct
        keys (`_distinct_keys`) on a hash of the key into parts, where each key's first piece
        is found (`_firsts_of_part`); each piece numbers the keys it has first, from the
        number of those the pieces before it have (`_new_numbers`), and each part gives
        every piece the numbers of its keys (`_part_numbers`). Per piece, its units' numbers
        there (`_unit_numbers`), and the first number it gave."""
        started = time.perf_counter()
        parts = max(1, min(self._workers(), len(held)))
        distinct = [self._submit(_distinct_keys, h) for h in held]
        keys = [self._submit(_key_parts, d, parts) for d in distinct]
        found = [self._part(keys, j) for j in range(parts)]
        firsts = [self._submit(_firsts_of_part, *of_part) for of_part in found]
        counts = self._call(
            self.client.gather, [self._submit(operator.itemgetter(1), f) for f in firsts]
        )
        new = np.sum(counts, axis=0, dtype=np.int64) if counts else np.zeros(len(held), int)
        bases = np.r_[0, np.cumsum(new)[:-1]].astype(np.int64).tolist()
        self._distinct_total = int(np.sum(new))
        numbered = [
            self._submit(
                _new_numbers,
                d,
                parts,
                base,
                *[self._submit(_nth_flags, f, i) for f in firsts],
            )
            for i, (d, base) in enumerate(zip(distinct, bases))
        ]
        numbers = [
            self._submit(
                _part_numbers,
                len(held),
                *found[j],
                *self._part(numbered, j),
            )
            for j in range(parts)
        ]
        units = [
            self._submit(_unit_numbers, d, parts, *self._part(numbers, i))
            for i, d in enumerate(distinct)
        ]
        # Until the first numbers are known: the reads' time, mostly (the rest is lazy).
        self.stats["numbering_seconds"] = time.perf_counter() - started
        return units, bases

    def _piece_bytes(self, inputs: Inputs) -> int:
        if self.piece_bytes is not None:
            return self.piece_bytes
        total = sum(input_size(p) for p in inputs.paths)
        return min(max(total // (4 * self._workers()), _MIN_PIECE), _MAX_PIECE)

    def _run(self, calls: list) -> list:
        futures = [self._submit(function, *args) for function, args in calls]
        return [self._result(f) for f in futures]

    # -- documents from this process ------------------------------------------------------------

    def _from_documents(
        self, docs: Iterable[Document], settings: Settings, pending: deque
    ) -> Iterator[tuple]:
        batches = _batches(docs, set(), settings.max_article_chars)

        def submit(batch: list[Document]) -> None:
            rows = [(d.text, dict(d.fields)) for d in batch]
            pending.append((batch, self._submit(_prepare_documents, rows, settings)))

        for batch in itertools.islice(batches, self._ahead()):
            submit(batch)
        while pending:
            batch, future = pending.popleft()
            prepared = self._received(future)
            self._keep_signatures(self._submit(_signatures_of, future, "documents"), [prepared[2]])
            for later in itertools.islice(batches, 1):
                submit(later)
            yield (batch, *prepared)

    # -- LSH on the workers ---------------------------------------------------------------------

    def _keep_signatures(self, held: Any, batches: list) -> None:
        """Keep the signatures of a task's batches, which ``held`` (`_signatures_of` the task)
        keeps on its worker, for `pair_finder`."""
        rows = [len(ready.signatures) for ready in batches]
        offsets = np.cumsum([0, *rows])[:-1].tolist()
        self._batch_places.extend((len(self._shards), offset) for offset in offsets)
        self._shards.append(_Shard(held))

    def taken(self, kept: list[np.ndarray]) -> None:
        """The build kept these rows of the next batch's signatures (per article)."""
        shard, offset = self._batch_places.popleft()
        rows = np.concatenate(kept) if kept else np.zeros(0, np.int64)
        target = self._shards[shard]
        if target.count == 0:
            target.base = self._signed
        if not self._holding_texts:  # else the workers know the rows (`_fresh_signatures`)
            target.rows.append(rows + offset)
        target.count += len(rows)
        self._signed += len(rows)

    def pair_finder(self, settings: Settings) -> PairFinder | None:
        """The verified pairs found on the workers, where the signatures are: LSH banding as a
        shuffle on band keys, the candidates verified in two hops over groups of units (the
        first units' signatures sent with the candidates to the second units' group); the same
        pairs as `newscorpus.blocks.verified_pairs` on the same signatures (`PairFinder`)."""
        if not self._shards:
            return None

        def find(ids: Any, order_key: Any, n_words: Any) -> tuple | None:
            if ids is not None and self._signed != len(ids):  # stored ones came first (an add)
                return None
            return self._call(self._verified_pairs, ids, order_key, n_words, settings)

        return find

    def release(self) -> None:
        """Let the workers drop the signatures, articles and runs they hold for this engine
        (a build that failed included: what it kept is not kept for the next)."""
        if self._runs is not None:
            with contextlib.suppress(Exception):
                self.client.run(_forget_runs, on_error="ignore")
        self._clear()
        self._holding_texts = False

    def _clear(self) -> None:
        self._shards, self._batch_places, self._signed, self._texts = [], deque(), 0, []
        self._numbers, self._first_numbers, self._distinct_total = [], [], 0
        self._runs = None

    def hold_texts(self) -> None:
        """Have the workers keep the articles of the pieces they read in the next build (their
        texts, metadata and source fields), for `write_parts`: this process receives their
        names and lengths only."""
        self._holding_texts = True

    def text_map(self) -> TextMap | None:
        """Where the analysis reads the texts (`newscorpus.blocks.Detector.map_texts`) when the
        workers hold them (`hold_texts`): nowhere here, as everything it asks of them is asked
        of the workers that hold them (`run_finder`), and no text comes to this process (a
        question asked here fails the build); None otherwise."""
        return _texts_held if self._holding_texts else None

    def run_finder(self) -> RunFinder | None:
        """Where the analysis finds the shared runs (`newscorpus.blocks.Detector.run_finder`)
        when the workers hold the texts and units (`hold_texts`): on the workers, each for the
        pieces it read, where they stay (`_WorkerRuns`); None otherwise."""
        return self._find_runs if self._holding_texts else None

    def _find_runs(
        self, labels: tuple[np.ndarray, np.ndarray], min_words: int, articles: int
    ) -> _WorkerRuns:
        counts = [count for _, count in self._texts]
        if len(self._numbers) != len(counts):
            raise RuntimeError("internal error: pieces held without their units' numbers")
        firsts = np.r_[0, np.cumsum(counts)].astype(np.int64)
        if firsts[-1] != articles:
            raise RuntimeError(f"internal error: {firsts[-1]} articles held, {articles} here")
        self._runs = _WorkerRuns(self, self._numbers, firsts, labels, min_words)
        return self._runs

    def write_parts(
        self,
        folder: str,
        names: Sequence[str],
        duplicate_of: dict[int, str],
        meta_spans: Sequence[Any],
        ids: Sequence[str],
    ) -> None:
        """Have the workers write the Parquet dataset's parts in ``folder`` (which they must
        reach at that path): each part of the blocks' wordings, its blocks' variants
        (`_WorkerRuns.write_variants`), in ``variants``; and each worker the articles of
        the pieces it read, with the texts, metadata and source fields it holds, in
        ``articles``, and their segments: made from the shared runs found there
        (`run_finder`) and placed in the blocks, and checked against the texts
        (`_write_part`), a shared one naming its wording by its number among its block's
        variants (the keys of those, from the parts, not through here: a run's wording is
        the text it covers). This process sends what is its own: each article's name (as the
        build checked it), the name of the article it copies (``duplicate_of``, by article)
        and its metadata spans, directly (`_sent`), and once for all the blocks' ``ids`` by
        position."""
        held = self._runs
        if held is None or held.placed is None:
            raise RuntimeError("internal error: the parts written before the runs are placed")
        if held.firsts[-1] != len(names) or len(names) != len(meta_spans):
            raise RuntimeError(f"internal error: {held.firsts[-1]} articles held, {len(names)}")
        firsts = held.firsts.tolist()
        copies = sorted(duplicate_of.items())
        at = np.searchsorted([a for a, _ in copies], firsts).tolist()

        def part(i: int) -> tuple:
            lo, hi = firsts[i], firsts[i + 1]
            copied = {a - lo: original for a, original in copies[at[i] : at[i + 1]]}
            path = f"{folder}/articles/part-{i:05d}.parquet"
            return path, lo, names[lo:hi], copied, meta_spans[lo:hi]

        placed = (held.shared, held.blocks, held.placed)
        parts = [part(i) for i in range(len(held.numbers))]

        def run() -> None:
            # The variants' keys are a result on the workers: if a worker dies holding them,
            # and what made them, the writing starts over from the variants.
            keys = held.write_variants(f"{folder}/variants", ids)
            held.each(_write_part, list(ids), placed, keys, each=parts, cut=True)

        self._again(run)
        self._call(self.client.run, _forget_runs, on_error="ignore")

    def _sent(self, values: list[Any]) -> list[Any]:
        """Each of ``values`` on a worker, sent there directly, all at once, pickled (read
        there with `_received_value`): a task that takes one as an argument would have it go
        through the scheduler, which keeps every task's arguments while the task exists (the
        rows of every article of a Parquet build: 178,682 objects at 10 MB); and pickled
        whole, a value is one frame, where Dask sends each array or ``bytes`` in it as a frame
        of its own. Nothing can make them again if a worker dies: see `_again`. Each value
        goes to one worker, and a task elsewhere that needs it fetches it from there: sent to
        every worker at once (``broadcast``), a sending made just after a worker died waited
        on it for ever. A sending that does not end in `_SEND_SECONDS` (and a second per 10
        MB) fails, and `_again` sends again."""
        blobs = [pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) for value in values]
        if not blobs:
            return []
        size = sum(map(len, blobs))
        timeout = _SEND_SECONDS + size / 10e6
        client = self.client

        async def send() -> list[Any]:
            started = time.monotonic()
            try:
                return await asyncio.wait_for(client._scatter(blobs, hash=False), timeout)
            except (asyncio.TimeoutError, asyncio.CancelledError):
                if time.monotonic() - started < timeout:
                    raise
                # An OSError, which `_again` takes for a worker lost as it was sent to.
                raise TimeoutError(f"sending to the workers took over {timeout:.0f} s") from None

        return self._call(client.sync, send)

    def _again(self, step: Callable[[], Any]) -> tuple[Any, int]:
        """``step()`` and the attempts it took: data this process sent the workers (`_sent`)
        has no task to make it again, so a worker that dies holding some cancels the tasks
        that need it, or fails the sending if it dies as it is sent (the connection closes:
        CommClosedError, an OSError), before the scheduler saw it go; ``step`` then runs
        again, sending it again, up to `_ATTEMPTS` times (after a pause, for a failed
        sending: the scheduler has then seen the worker go)."""
        from distributed.client import FutureCancelledError

        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return step(), attempt
            except (EngineError, FutureCancelledError, OSError) as error:
                cause = error.__cause__ if isinstance(error, EngineError) else error
                if not isinstance(cause, (FutureCancelledError, OSError)) or attempt == _ATTEMPTS:
                    raise
                if isinstance(cause, OSError):
                    time.sleep(attempt)
        raise AssertionError("unreachable")

    def _verified_pairs(
        self, ids: Any, order_key: Any, n_words: Any, s: Settings
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The shuffle, over groups of consecutive shards (`_unit_groups`): per round of bands
        (`_bands_per_round`: so a worker holds a round's share of the band entries and of the
        candidates, not all of them), every group's band entries are split by a hash of
        (band, key) into parts; each part pairs its buckets. The candidates are then verified
        in two hops: each group of first units takes its candidates from the parts, leaves out
        those that passed in a round before and attaches its units' signatures (`_attach`);
        each group of second units verifies what the first groups sent it
        (`_verify_attached`). So a task holds one
        group's signatures and the candidates that concern it, the signatures move with the
        candidates, and the tasks and their links grow with the groups times the parts and
        the square of the groups, not with the square of the pieces read. The units are named
        by their distinct ids throughout; a group holds each of its units' id, order key and
        word count (`_GROUP_UNIT`). What comes here: the pairs that pass, their similarity and
        their units' order keys (`PairFinder`); or, where the workers numbered the units (no
        ``ids`` given), the clusters that `_linked` makes of them, linked on the workers
        (`_linked_held`): the pairs never come here.

        Where this process numbered the units, it sends the kept rows, and the signed units'
        ``ids``, ``order_key`` and ``n_words``: that has no tasks behind it to make it again,
        so a worker that dies holding some cancels the tasks that need it (or fails the
        sending, if it dies as it is sent), and the LSH starts over (`_again`), from what
        this process sends again and the signatures of each piece, which the workers make
        again from the pieces if they must. A Parquet build sends none of it: its groups are
        made of tasks alone (`_groups_where_numbered`)."""
        started = time.perf_counter()
        every = self._shards
        shards = [h for h in every if h.count]
        signed = sum(h.count for h in shards)
        parts = 2 * self._workers()  # buckets are split this many ways
        # The shards in groups of consecutive units: a group's signatures are banded and
        # verified together, so that the tasks grow with the groups, not the pieces read.
        bounds = _unit_groups([h.count for h in shards], parts, s.num_perm)
        numbered = self._groups_where_numbered(every, bounds, s.min_minhash_words)
        if numbered is None:
            if ids is None or len(ids) != signed:
                raise RuntimeError("internal error: the signed units not given")
            # Rows of one piece's signatures: they fit 4 bytes each (but in a gzipped file of
            # 4 billion units).
            rows = [_narrow(np.concatenate(h.rows)) for h in shards]
            cuts = [shards[i].base for i in bounds[:-1]] + [signed]
            n = int(ids[-1]) + 1 if signed else 0
            bases = np.array([*ids[cuts[:-1]].tolist(), n], dtype=np.int64)
            units = [
                _group_units(ids[a:b], order_key[a:b], n_words[a:b]) for a, b in zip(cuts, cuts[1:])
            ]
        else:
            (groups, units), bases = numbered
            n = int(bases[-1])
        self._shards = []  # the workers drop what they held once the kept rows are taken
        per_round = _bands_per_round(signed, _entry_dtype(n).itemsize, self._workers(), s.lsh_bands)

        def lsh() -> tuple[np.ndarray, ...]:
            if numbered is not None:
                found = self._rounds(groups, units, bases, parts, per_round, s)
                return self._linked_held(found, n, s)
            # The kept rows and the units go to the workers directly (`_sent`): as task
            # arguments, the scheduler would keep them through the LSH (24 bytes a signed
            # unit). Nothing can make them again, so the groups are made again from them on
            # each attempt (`_again`).
            sent = self._sent(rows)
            kept = [self._submit(_kept_signatures, h.held, r) for h, r in zip(shards, sent)]
            held = [self._submit(_joined, *kept[lo:hi]) for lo, hi in zip(bounds, bounds[1:])]
            # Each piece's kept rows go once its group holds them: the groups, not these too,
            # are what the rounds read.
            given = [self._submit(_received_value, u) for u in self._sent(units)]
            del sent, kept
            return _pair_columns(
                self.client.gather(self._rounds(held, given, bases, parts, per_round, s))
            )

        result, attempt = self._again(lsh)
        self.stats["pair_seconds"] = time.perf_counter() - started
        self.stats["lsh_attempts"] = attempt
        self.stats["band_entries"] = signed * s.lsh_bands
        self.stats["band_entry_bytes"] = _entry_dtype(n).itemsize
        self.stats["groups"] = len(bounds) - 1
        self.stats["rounds"] = -(-s.lsh_bands // per_round)
        self.stats["parts"] = parts
        if numbered is not None:
            return result  # the clusters, linked on the workers
        codes, found, keys = result
        codes, first = np.unique(codes, return_index=True)  # each pair verified once
        return decode_pairs(codes, n), found[first], keys[first]

    def _groups_where_numbered(
        self, every: list[_Shard], bounds: list[int], min_words: int
    ) -> tuple[tuple[list[Any], list[Any]], np.ndarray] | None:
        """Where the workers numbered the units (a Parquet build: a shard of ``every`` per
        piece), the groups of signatures (``bounds``: over the shards that kept rows, as
        `_unit_groups` gives them) made of tasks alone: each piece's kept rows are those of
        its signed units that bring a new number (`_fresh_signatures`), the rows the build
        kept, and so are its units' ids, order keys and word counts (`_fresh_units`). A
        worker that dies holding a group has it made again (its pieces read again), so
        each piece's signatures (every signed unit's, 1.5 to 2 bytes per input byte) need not
        wait on the workers for a second attempt, and go. The groups, with their units, and
        each one's first distinct id (then how many there are). Otherwise None."""
        if not self._numbers:
            return None
        if not len(every) == len(self._numbers) == len(self._texts):
            raise RuntimeError("internal error: pieces numbered, held and signed differ")
        pieces = [
            (shard, held, ids, base)
            for shard, (held, _), ids, base in zip(
                every, self._texts, self._numbers, self._first_numbers
            )
            if shard.count
        ]
        kept, units = [], []
        for shard, held, ids, base in pieces:
            kept.append(
                self._submit(_fresh_signatures, shard.held, held, ids, base, min_words, shard.count)
            )
            units.append(self._submit(_fresh_units, held, ids, base, min_words, shard.count))
        spans = list(zip(bounds, bounds[1:]))
        groups = [self._submit(_joined, *kept[lo:hi]) for lo, hi in spans]
        group_units = [self._submit(_joined, *units[lo:hi]) for lo, hi in spans]
        firsts = [pieces[lo][3] for lo, _ in spans]
        for shard in every:
            shard.held = None
        return (groups, group_units), np.array([*firsts, self._distinct_total], dtype=np.int64)

    def _rounds(
        self,
        held: list,
        units: list,
        bases: np.ndarray,
        parts: int,
        per_round: int,
        s: Settings,
    ) -> list[Any]:
        """The rounds of `_verified_pairs` on the groups of signatures ``held`` with their
        ``units`` (`_GROUP_UNIT`; a group's distinct ids from those of ``bases``): futures of
        what each verifying task found (`_verify_attached`: the codes of the pairs that pass,
        each once in all, their similarity and their units' order keys), left on the workers.
        What passed in the rounds before, which a group's candidates leave out, is kept there
        too, per first group (`_passed_by_group`, `_passed_joined`)."""
        n = int(bases[-1])
        for stat in ("candidates", "attached_bytes", "verified_pairs"):
            self.stats[stat] = 0

        def shuffle(lo: int) -> tuple[list, list]:
            """The reduces of the round of bands from ``lo``, and what each one's pairs join."""
            bands = (lo, min(lo + per_round, s.lsh_bands))
            maps = [
                self._submit(_band_map, h, u, bands, s.lsh_rows, parts, n)
                for h, u in zip(held, units)
            ]
            reduces = [
                self._submit(
                    _band_reduce,
                    bases,
                    s.max_bucket_pairs,
                    self._part(maps, r),
                )
                for r in range(parts)
            ]
            return reduces, [self._submit(_joins_of, r) for r in reduces]

        results: list[Any] = []
        passed: list[Any] = [np.zeros(0, np.int64)] * len(held)  # per first group, sorted codes
        rounds = list(range(0, s.lsh_bands, per_round))
        coming = shuffle(rounds[0])
        for k in range(len(rounds)):
            reduces, joining = coming
            # Which groups each part's candidates join: {first group: second groups}.
            joins = self.client.gather(joining)
            # The next round's shuffle runs while this one's candidates are verified (which
            # needs what passed before it): a worker holds one round's band entries (this
            # round's reduces are done) and another's candidates.
            coming = shuffle(rounds[k + 1]) if k + 1 < len(rounds) else ([], [])
            attached = {}
            senders: dict[int, list[int]] = defaultdict(list)  # per second group, the firsts
            firsts = sorted(set().union(*joins))
            for g in firsts:
                seconds = sorted(set().union(*(j[g] for j in joins if g in j)))
                for q in seconds:
                    senders[q].append(g)
                candidates = [
                    self._submit(operator.getitem, reduces[r], g)
                    for r in range(parts)
                    if g in joins[r]
                ]
                attached[g] = self._submit(
                    _attach, held[g], units[g], bases, n, passed[g], seconds, candidates
                )
            del reduces
            verified = []
            for q in sorted(senders):
                sent = self._part([attached[g] for g in senders[q]], q)
                verified.append(self._submit(_verify_attached, held[q], units[q], s, n, sent))
            del attached
            # The round verified (only its counts come here) before the next shuffle is made:
            # a worker holds one round's band entries and another's candidates, not more.
            counts = self.client.gather([self._submit(_verified_counts, v) for v in verified])
            self.stats["candidates"] += sum(c for c, _, _ in counts)
            self.stats["attached_bytes"] += sum(b for _, b, _ in counts)
            self.stats["verified_pairs"] += sum(p for _, _, p in counts)
            if k + 1 < len(rounds) and verified:
                split = [self._submit(_passed_by_group, v, bases, n) for v in verified]
                passed = [
                    self._submit(_passed_joined, passed[g], *self._part(split, g))
                    for g in range(len(held))
                ]
            results += verified
        return results

    def _linked_held(self, found: list[Any], n: int, s: Settings) -> tuple[np.ndarray, ...]:
        """`_linked` of the pairs ``found`` (futures of `_verify_attached`'s results, the
        codes below ``n`` ** 2) made on the workers: each result's strong pairs become a
        `_forest`, the forests are joined in a tree, four at a time, and one task links the
        joined forest with the weak pairs that can count (one unit in no strong pair): no
        pair comes here, only the paired units not the smallest of their cluster, with that
        smallest of each."""
        forests = [self._submit(_strong_forest, f, n, s.strong_threshold) for f in found]
        while len(forests) > 1:
            forests = [
                self._submit(_forests_joined, *forests[lo : lo + 4])
                for lo in range(0, len(forests), 4)
            ]
        forest = forests[0] if forests else _forest(np.zeros((0, 2), np.int64))
        clustered = self._submit(_clustered_units, forest)
        weak = [self._submit(_weak_pairs, f, n, clustered, s) for f in found]
        return self._result(self._submit(_linked_of, forest, n, s, *weak))

    # -- the cluster ----------------------------------------------------------------------------

    def _workers(self) -> int:
        return max(len(self._call(self.client.scheduler_info).get("workers", {})), 1)

    def _ahead(self) -> int:
        return self.ahead or 2 * self._workers()

    def _submit(self, function: Any, *args: Any) -> Any:
        return self._call(self.client.submit, function, *args, pure=False)

    def _part(self, made: list, j: int) -> list:
        """Item ``j`` of each of ``made`` (futures of sequences: a shuffle's maps, by part),
        as futures, on the workers."""
        return [self._submit(operator.getitem, m, j) for m in made]

    def _result(self, future: Any) -> Any:
        return self._call(future.result)

    def _received(self, future: Any) -> Any:
        """The result of a piece's task, counted in `stats`."""
        started = time.perf_counter()
        result, seconds, size = self._result(future)
        self.stats["waited_seconds"] += time.perf_counter() - started
        self.stats["pieces"] += 1
        self.stats["task_seconds"] += seconds
        self.stats["received_bytes"] += size
        return result

    @staticmethod
    def _call(function: Any, *args: Any, **kwargs: Any) -> Any:
        """Run ``function``; a failure of the cluster becomes `EngineError`."""
        try:
            return function(*args, **kwargs)
        except NewsCorpusError:
            raise
        except Exception as error:
            raise EngineError(
                f"the Dask cluster failed: {type(error).__name__}: {error}"
            ) from error


def _read_piece(piece: Piece, inputs: Inputs, settings: Settings) -> tuple:
    """On a worker: read a piece and prepare its articles, in batches of ``(count, prepared)``
    (an article refused as too long is not prepared); `_measured`."""
    started = time.perf_counter()
    done = read(piece, inputs, settings.max_article_chars)
    docs = done.docs[:-1] if done.too_long is not None else done.docs
    batches = []
    for lo in range(0, len(docs), _BATCH):
        rows = [(d.text, dict(d.fields)) for d in docs[lo : lo + _BATCH]]
        batches.append((len(rows), _prepare_rows(rows, settings)))
    return _measured((done, batches), started)


def _finish(documents: Iterator[Document]) -> None:
    """Take a piece's documents to their end: its error, or an article too long, is raised
    there, and the meter reaches the end of the piece."""
    for _ in documents:
        pass


@attrs.define
class _Shard:
    """Signatures of one task's batches, held on its worker: the kept rows (in the order the
    build took them) are the signed units ``base`` to ``base + count``."""

    held: Any
    rows: list[np.ndarray] = attrs.field(factory=list)
    base: int = 0
    count: int = 0


# The bands of a round of the LSH (`_bands_per_round`): at most this many, and as many as
# keep a worker's share of a round's band entries within `_ROUND_BYTES`.
_BANDS_PER_ROUND = 16
_ROUND_BYTES = 512 << 20
# How many times a step starts over when a worker lost what this process sent it (`_again`).
_ATTEMPTS = 3
# How long a sending to the workers may take, but for its size (`DaskEngine._sent`).
_SEND_SECONDS = 20
# A group's signatures at most (`_unit_groups`): what a banding or verifying task holds.
_GROUP_BYTES = 1 << 30
# The pieces' counts added by a task at a time (`_WorkerRuns.carried_both`).
_SUM_FAN_IN = 8
_PART_MIX = np.uint64(0x9E3779B97F4A7C15)


def _entry_dtype(n: int) -> np.dtype:
    """A band entry: the band, its key, the unit (its distinct id, below ``n``) and the
    unit's order key (which orders a bucket too big to pair whole, as `band_pairs` does)."""
    index = "<u4" if n < 1 << 32 else "<i8"
    return np.dtype([("band", "<u2"), ("key", "<u8"), ("index", index), ("order", "<u8")])


# What a group of signed units of the LSH holds of each besides its signature (`_group_units`,
# `_fresh_units`): its distinct id (increasing), its order key and its word count.
_GROUP_UNIT = np.dtype([("id", "<i8"), ("order", "<u8"), ("words", "<i4")])


def _group_units(ids: np.ndarray, order: np.ndarray, n_words: np.ndarray) -> np.ndarray:
    """Signed units as a group of the LSH holds them (`_GROUP_UNIT`)."""
    units = np.empty(len(ids), dtype=_GROUP_UNIT)
    units["id"], units["order"], units["words"] = ids, order, n_words
    return units


def _signatures_of(result: tuple, kind: str) -> np.ndarray:
    """On a worker: the signatures of a task's result, its batches' one after the other."""
    if kind == "piece":
        (_, batches), _, _ = result
        found = [prepared[2].signatures for _, prepared in batches]
    else:
        found = [result[0][2].signatures]
    return np.concatenate(found) if found else np.zeros((0, 0), np.uint16)


def _lean(result: tuple) -> tuple:
    """On a worker: a piece's result without its signatures, texts and source fields (each
    document a `HeldDocument`), and its units' records as they are, to be numbered
    (`_numbered`)."""
    (done, batches), seconds, _ = result
    held = [HeldDocument(d.name, "", {}, len(d.text)) for d in done.docs]
    done = attrs.evolve(done, docs=held)
    lean = [
        (
            count,
            # The signatures' rows are counted, and none of their values sent.
            (metas, spans, attrs.evolve(ready, signatures=ready.signatures[:, :0])),
        )
        for count, (metas, spans, ready) in batches
    ]
    return (done, lean), seconds


def _numbered(lean: tuple, numbers: np.ndarray, base: int, min_words: int) -> tuple:
    """On a worker: a piece's `_lean` result, its units numbered (``numbers``, the first
    number the piece gave being ``base``), with only what the building process reads of them
    (`FRESH_COUNTS`: per article, how many distinct units its units bring first, and how
    many of those are signed; a signature row of no values for each of those); measured
    again."""
    (done, batches), seconds = lean
    sizes = [len(ready.records) for _, (_, _, ready) in batches]
    if sum(sizes) != len(numbers):
        raise RuntimeError(f"internal error: {len(numbers)} units numbered of {sum(sizes)}")
    fresh = first_new(numbers, base)
    bounds = np.cumsum([0, *sizes]).tolist()
    at = np.searchsorted(fresh, bounds).tolist()
    numbered = []
    for (count, (metas, spans, ready)), lo, a, b in zip(batches, bounds, at, at[1:]):
        records = ready.records
        mine = fresh[a:b] - lo
        signed = signed_units(records["n_words"][mine], records["figure"][mine], min_words)
        article = np.searchsorted(ready.offsets, mine, side="right") - 1
        counts = np.zeros(count, dtype=FRESH_COUNTS)
        counts["fresh"] = np.bincount(article, minlength=count)
        counts["signed"] = np.bincount(article[signed], minlength=count)
        rows = np.zeros((int(signed.sum()), 0), dtype=np.uint16)
        offsets = np.arange(count + 1, dtype=np.int64)
        numbered.append((count, (metas, spans, Prepared(counts, offsets, rows))))
    return (done, numbered), seconds, _sent_size((done, numbered))


# A 128-bit key, as `_distinct_keys` gives them.
_KEY = np.dtype([("low", "<u8"), ("high", "<u8")])


def _distinct_keys(held: _Held) -> tuple[np.ndarray, np.ndarray]:
    """On a worker: a piece's distinct keys (of its units with words), in the order they
    first come (structured: ``low``, ``high``), and each unit's among them (-1 without
    words)."""
    records = held.records
    worded = np.flatnonzero(records["n_words"] > 0)
    low, high = records["key_low"][worded], records["key_high"][worded]
    # Sorted by key, a key's units in their order: its first is the first of its run.
    order = np.lexsort((high, low))
    starts = _run_starts(low[order], high[order])
    rank = np.empty(int(starts.sum()), dtype=np.int64)  # per key, by its first unit
    rank[np.argsort(order[starts], kind="stable")] = np.arange(len(rank))
    unit = np.full(len(records), -1, dtype=np.int64)
    unit[worded[order]] = rank[np.cumsum(starts) - 1]
    distinct = np.empty(len(rank), dtype=_KEY)
    distinct["low"][rank], distinct["high"][rank] = low[order][starts], high[order][starts]
    return distinct, unit


def _run_starts(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Of keys sorted (``low``, ``high``), whether each starts a run of equal keys."""
    if not len(low):
        return np.zeros(0, dtype=bool)
    return np.r_[True, (low[1:] != low[:-1]) | (high[1:] != high[:-1])]


def _part_of(keys: np.ndarray, parts: int) -> np.ndarray:
    """The part of each key (of `_distinct_keys`) in `DaskEngine._number_units`."""
    return (keys["low"] % np.uint64(parts)).astype(np.int64)


def _key_parts(distinct: tuple, parts: int) -> list[np.ndarray]:
    """On a worker: a piece's distinct keys (`_distinct_keys`), in the order they first
    come, by part."""
    keys, _ = distinct
    part = _part_of(keys, parts)
    return [keys[part == j] for j in range(parts)]


def _firsts_of_part(*found: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    """On a worker: of one part's keys from every piece (``found``, in the pieces' order),
    those each piece has first (no piece before it has them): per piece, a flag per key;
    and how many per piece."""
    sizes = [len(keys) for keys in found]
    keys = np.concatenate(found) if found else np.zeros(0, dtype=_KEY)
    piece = np.repeat(np.arange(len(found)), sizes)
    order = np.lexsort((piece, keys["high"], keys["low"]))
    first = np.empty(len(keys), dtype=bool)
    first[order] = _run_starts(keys["low"][order], keys["high"][order])
    flags = np.split(first, np.cumsum(sizes)[:-1]) if sizes else []
    return flags, np.array([int(f.sum()) for f in flags], dtype=np.int64)


def _nth_flags(firsts: tuple, piece: int) -> np.ndarray:
    """On a worker: one piece's flags of `_firsts_of_part`."""
    return firsts[0][piece]


def _new_numbers(distinct: tuple, parts: int, base: int, *flags: np.ndarray) -> list[np.ndarray]:
    """On a worker: the numbers of the keys a piece has first (of its `_distinct_keys`:
    ``flags``, per part), from ``base`` in the order they first come; per part, each of its
    keys' number there or -1."""
    keys, _ = distinct
    part = _part_of(keys, parts)
    first = np.zeros(len(keys), dtype=bool)
    for j, mine in enumerate(flags):
        first[part == j] = mine
    numbers = np.full(len(keys), -1, dtype=np.int64)
    numbers[first] = base + np.arange(int(first.sum()), dtype=np.int64)
    return [numbers[part == j] for j in range(parts)]


def _part_numbers(n: int, *given: np.ndarray) -> list[np.ndarray]:
    """On a worker: of one part's keys from each of ``n`` pieces (the first ``n`` of
    ``given``), each with its number or -1 (the next ``n``: `_new_numbers`), every key's
    number (the one the piece that has it first gave it), per piece."""
    found, numbers = given[:n], given[n:]
    sizes = [len(keys) for keys in found]
    keys = np.concatenate(found) if n else np.zeros(0, dtype=_KEY)
    number = np.concatenate(numbers) if n else np.zeros(0, dtype=np.int64)
    # Each key's numbered row first among its rows, which take its number.
    order = np.lexsort((number < 0, keys["high"], keys["low"]))
    starts = _run_starts(keys["low"][order], keys["high"][order])
    given_numbers = number[order][starts]
    if (given_numbers < 0).any():
        raise RuntimeError("internal error: a key no piece numbered")
    every = np.empty(len(keys), dtype=np.int64)
    every[order] = given_numbers[np.cumsum(starts) - 1]
    return np.split(every, np.cumsum(sizes)[:-1]) if sizes else []


def _unit_numbers(distinct: tuple, parts: int, *numbers: np.ndarray) -> np.ndarray:
    """On a worker: each unit's number (-1 without words), from its piece's keys
    (`_distinct_keys`) numbered, by part (`_part_numbers`)."""
    keys, unit = distinct
    part = _part_of(keys, parts)
    found = np.empty(len(keys), dtype=np.int64)
    for j, mine in enumerate(numbers):
        found[part == j] = mine
    every = np.full(len(unit), -1, dtype=np.int64)
    worded = unit >= 0
    every[worded] = found[unit[worded]]
    return every


@attrs.frozen
class _Held:
    """The articles of a piece, held on the worker that read it for a Parquet output: their
    texts, and the metadata and source fields of those prepared (all of them, unless the
    last is too long, which fails the build)."""

    texts: list[str]
    metas: list[Any]
    fields: list[dict[str, Any]]
    #: Every unit's `newscorpus.blocks.UNIT_RECORD`, article after article, and where each
    #: article's start (then where the last ones end).
    records: np.ndarray
    offsets: np.ndarray


def _held_of(result: tuple) -> _Held:
    """On a worker: what it keeps of a piece's articles (`_Held`)."""
    (done, batches), _, _ = result
    metas = [meta for _, (found, _, _) in batches for meta in found]
    ready = [prepared for _, (_, _, prepared) in batches]
    records = np.concatenate([r.records for r in ready]) if ready else np.zeros(0, UNIT_RECORD)
    sizes = np.concatenate([np.diff(r.offsets) for r in ready]) if ready else np.zeros(0, int)
    return _Held(
        [d.text for d in done.docs],
        metas,
        [dict(d.fields) for d in done.docs],
        records,
        np.r_[0, np.cumsum(sizes)].astype(np.int64),
    )


class _WorkerRuns:
    """`newscorpus.blocks.HeldRuns` on the workers: a task per piece, on the worker that holds
    it, from its units' numbers (`DaskEngine._number_units`) and the clusters of the distinct
    units (``labels``: those not their own cluster, with their cluster), finds which of its
    short units stand alone on a line, then its units' clusters and which of those two or
    more articles carry (`occurrences`, a shuffle on the clusters); then what the copies ask
    (each article's head, the digest of its words, the profiles and the facts of those
    paired), its clusters' copy groups (`cluster_groups`), the words of its furniture lines,
    the neighbouring and the separated background clusters (`joined_pairs`,
    `separated_pairs`), then its runs
    (`_runs_of`, with the blocks of the background clusters and the furniture lines,
    ``shared``), which are kept there, in `_RUNS`, for the next steps: their glued blocks, the
    distinct wordings of those (`glued_pairs`) cut in parts of the blocks (a shuffle on the
    block, `_cut_rows`), the runs cut and their wordings counted, in parts of the blocks held
    on the workers (`trimmed`), and the writing of the variants and the articles
    (`DaskEngine.write_parts`). Every task can make the runs again from what it is given (a
    worker that died, or a task run on another worker), and what this process sent is sent
    again when a step starts over (`DaskEngine._again`), the glued wordings cut again and the
    wordings counted again if a part of them was lost (`_cut_rows`, `on_parts`)."""

    def __init__(
        self,
        engine: DaskEngine,
        numbers: list[Any],
        firsts: np.ndarray,
        labels: tuple[np.ndarray, np.ndarray],
        min_words: int,
    ) -> None:
        self.engine = engine
        self.numbers = numbers  # per piece, its units' numbers there
        self.firsts = firsts  # where each piece's articles start, then where the last ends
        # What makes each unit's cluster (`_clusters_of`): the distinct units not their own
        # cluster, with their clusters; the short units that stand alone on a line in
        # enough articles; the clusters two or more articles carry (`occurrences`).
        self.definition: tuple = (*labels, np.zeros(0, np.int64), None, min_words)
        self.shared: tuple | None = None
        self._sent_pieces: list | None = None  # each piece's units' clusters there
        self.token = uuid.uuid4().hex
        self.blocks: np.ndarray | None = None  # the glued blocks
        # Per piece, the cuts of its glued wordings, on the workers: a future per part
        # (`_cut_rows`).
        self._cuts: list[list[Any]] | None = None
        self.placed: dict[int, int] | None = None
        # The parts of the blocks' wordings, on the workers (`trimmed`), and once the blocks
        # are placed, the variants of those others joined. The glued wordings are cut in as
        # many parts.
        self._parts: list[Any] | None = None
        # Per piece, its blocks' carriers, on the workers (`trimmed`).
        self._carried: list[Any] | None = None
        self._part_count = 0
        self.ranked: dict[int, tuple[tuple[str, int], ...]] = {}
        # The pairs `verdicts` last judged, and the profiles it made for them, there.
        self._profiled: tuple[np.ndarray, list] | None = None
        self.shared_chars = 0

    def key(self, piece: int) -> tuple[str, int]:
        return (self.token, piece)

    def each(
        self,
        function: Any,
        *given: Any,
        each: list | None = None,
        cut: bool = False,
        then: Any = None,
    ) -> list:
        """``function(held, key, clusters, *given)`` for each piece, on the worker that holds
        it, ``given`` sent once for all (and, with ``each``, a value per piece after them;
        with ``cut``, the cuts of its glued wordings from each part, `_cut_rows`, last); the
        results in order, or what ``then`` makes of their futures there. The units' clusters
        are made there once (`_clusters_of`), from what makes them (``definition``, sent),
        and again when a step starts over (a worker that held some may have died), with the
        cuts."""
        engine = self.engine
        tries = 0

        def run() -> list:
            nonlocal tries
            tries += 1
            from distributed import Future

            # What is sent; a future (a result on the workers) goes as it is.
            sent = iter(engine._sent([g for g in given if not isinstance(g, Future)]))
            extra = [g if isinstance(g, Future) else next(sent) for g in given]
            own = engine._sent(each) if each is not None else [None] * len(self.numbers)
            if self.definition[3] is None:
                raise RuntimeError("internal error: the units' clusters asked before they are made")
            if self._sent_pieces is None or tries > 1:
                [definition] = engine._sent([self.definition])
                self._sent_pieces = [
                    engine._submit(_clusters_of, held, numbers, definition)
                    for (held, _), numbers in zip(engine._texts, self.numbers)
                ]
            cuts = self._cut_rows(tries > 1) if cut else [None] * len(self.numbers)
            futures = [
                engine._submit(
                    function,
                    held,
                    self.key(i),
                    clusters,
                    *extra,
                    *([mine] if each is not None else []),
                    *([rows] if cut else []),
                )
                for i, ((held, _), clusters, mine, rows) in enumerate(
                    zip(engine._texts, self._sent_pieces, own, cuts)
                )
            ]
            if then is not None:
                return then(futures)
            return engine._call(engine.client.gather, futures)

        return engine._again(run)[0]

    def occurrences(self) -> Carriers:
        """The short units that stand alone on a line in `_FURNITURE_ARTICLES` articles or
        more (each piece's counts, `_piece_alone`, summed), then the clusters two or more
        articles carry, with their articles: a shuffle of each piece's (cluster, article)
        on a hash of the cluster (`_carried_parts`), each part finding its clusters'
        articles (`_carriers_of_part`). What makes the units' clusters is then whole."""
        engine = self.engine
        min_words = self.definition[-1]
        found = self._units_each(_piece_alone, min_words)
        ids = np.concatenate([i for i, _ in found] or [np.zeros(0, np.int64)])
        counts = np.concatenate([c for _, c in found] or [np.zeros(0, np.int64)])
        if len(ids):
            ids, inverse = np.unique(ids, return_inverse=True)
            counts = np.bincount(inverse.ravel(), counts, len(ids)).astype(np.int64)
        alone = ids[counts >= _FURNITURE_ARTICLES]
        self.definition = (*self.definition[:2], alone, None, min_words)
        parts = max(1, min(engine._workers(), len(self.numbers)))

        def reduced(carried: list) -> list:
            reduces = [
                engine._submit(_carried_of_part, *engine._part(carried, j)) for j in range(parts)
            ]
            return engine._call(engine.client.gather, reduces)

        found = self._units_each(
            _carried_parts, parts, self.definition, each=self.firsts[:-1].tolist(), then=reduced
        )
        # The parts' clusters are disjoint: sorted together. Their articles are not sent
        # here: what the analysis asks of them is counted on the workers (`carried_both`).
        empty = np.zeros(0, np.int64)
        clusters, counts = (
            np.concatenate([f[k] for f in found] or [empty]).astype(np.int64) for k in range(2)
        )
        keys = np.concatenate([f[2] for f in found] or [np.zeros(0, np.uint64)])
        figures = np.concatenate([f[3] for f in found] or [np.zeros(0, bool)])
        order = np.argsort(clusters, kind="stable")
        clusters, counts = clusters[order], counts[order]
        self.definition = (*self.definition[:3], clusters, min_words)
        return Carriers(
            clusters, np.cumsum(counts) - counts, counts, None, keys[order], figures[order]
        )

    def _units_each(
        self, function: Any, *given: Any, each: list | None = None, then: Any = None
    ) -> list:
        """``function(held, numbers, *given)`` for each piece, on the worker that holds it
        (``numbers``: its units' numbers; ``given`` sent once for all, and with ``each`` a
        value per piece before them): the results, or what ``then`` makes of their futures
        there. Run again if a worker holding what was sent dies (`DaskEngine._again`)."""
        engine = self.engine

        def run() -> list:
            extra = engine._sent(list(given))
            own = each if each is not None else [None] * len(self.numbers)
            futures = [
                engine._submit(function, held, numbers, *([mine] if each else []), *extra)
                for (held, _), numbers, mine in zip(engine._texts, self.numbers, own)
            ]
            if then is not None:
                return then(futures)
            return engine._call(engine.client.gather, futures)

        return engine._again(run)[0]

    def heads(self, size: int, min_words: int) -> np.ndarray:
        """Each piece's `article_heads`, one after another."""
        found = self.each(_piece_heads, (size, min_words))
        if not found:
            return np.full((0, size), -2, dtype=np.int64)
        return np.concatenate(found).astype(np.int64)

    def identical(self) -> list[list[int]]:
        """The groups of two or more articles whose units are the same words in the same
        order, found where their digests meet: each piece makes the `content_digests` of its
        articles' units' keys and sends each to a part by the digest (`_piece_contents`: a
        shuffle, in as many parts as twice the workers), and each part groups its own
        (`_part_identical`). The digests never come here."""
        engine = self.engine
        parts = 2 * engine._workers()

        def grouped(made: list) -> list:
            grouping = [
                engine._submit(_part_identical, *engine._part(made, j)) for j in range(parts)
            ]
            return engine._call(engine.client.gather, grouping)

        firsts = self.firsts[:-1].tolist()
        found = self.each(_piece_contents, parts, each=firsts, then=grouped)
        return [group for part in found for group in part]

    def verdicts(
        self, pairs: np.ndarray, background: np.ndarray | None, settings: Settings
    ) -> list[bool]:
        """The verdicts of `Detector._copies` on ``pairs`` (rows ``x < y`` of articles), judged
        where the two articles' profiles meet: each piece makes the `profiles_of` its articles
        in ``pairs`` and sends each to the parts whose pairs it is in (`_profile_parts`: a
        shuffle on the pair's place, in as many parts as twice the workers), and each part
        judges its pairs (`_part_verdicts`): pass 1 (`_is_copy`), or with the ``background``
        clusters, pass 2 (`_strict_verdict`). In pass 2 a pair that shares passages is a copy
        if their facts agree (`_facts_agree`): each part asks the pieces that hold its
        articles for the facts of those passages (`_part_asks`), each piece sends each
        article's to the parts that asked (`_piece_facts`), and each part judges its pairs
        again (`_part_agreed`). The profiles (a Counter of clusters an article), the passages
        asked and their facts never come here, only a verdict a pair; the profiles made for
        pass 1 serve pass 2 on the same pairs."""
        engine = self.engine
        if not len(pairs):
            return []
        parts = max(1, min(2 * engine._workers(), len(pairs)))
        part = np.arange(len(pairs)) % parts
        mine = [pairs[part == j] for j in range(parts)]
        wanted = [unique(p.ravel()) for p in mine]
        by_piece = [self._by_piece(w) for w in wanted]  # per part, per piece
        each = [
            (first, [of_part[i] for of_part in by_piece])
            for i, first in enumerate(self.firsts[:-1].tolist())
        ]

        def judged(made: list) -> list:
            sent = engine._sent([*mine, background, settings, self.firsts])
            judging = [
                engine._submit(
                    _part_verdicts,
                    sent[j],
                    sent[-3],
                    sent[-2],
                    *engine._part(made, j),
                )
                for j in range(parts)
            ]
            if background is not None:
                judging = self._agreed(judging, sent[:parts], sent[-2], sent[-1])
            found = engine._call(engine.client.gather, judging)
            if background is None:
                return found
            engine.stats["facts_pairs"] = engine.stats.get("facts_pairs", 0) + sum(
                asked for _, asked in found
            )
            engine._call(engine.client.run, _forget_answers, on_error="ignore")
            return [verdicts for verdicts, _ in found]

        def profiled(made: list) -> list:
            self._profiled = (pairs, made)
            return judged(made)

        # Pass 2 judges the pairs of pass 1 (where no verdict is kept, as in a Parquet
        # build): the profiles that pass made wait on the workers for it, and are used once.
        kept, self._profiled = self._profiled, None
        results = None
        if kept is not None and np.array_equal(kept[0], pairs):
            with contextlib.suppress(EngineError):  # a worker that held some died: made again
                results = judged(kept[1])
        del kept
        if results is None:
            results = self.each(_profile_parts, each=each, then=profiled)
        found = [False] * len(pairs)
        for j, verdicts in enumerate(results):
            for at, verdict in zip(np.flatnonzero(part == j).tolist(), verdicts):
                found[at] = verdict
        return found

    def _agreed(self, judging: list, pairs: list, settings: Any, firsts: Any) -> list:
        """Pass 2 of `verdicts` past the profiles: per part (``judging``, the futures of its
        verdicts; ``pairs``, its pairs, sent), the passages its undecided pairs share asked
        of the pieces that hold their articles, each piece's facts of those sent to the
        parts that asked, and each part's verdicts with the facts judged; their futures."""
        engine = self.engine
        asks = [
            engine._submit(_part_asks, mine, verdicts, firsts)
            for mine, verdicts in zip(pairs, judging)
        ]
        facts = [
            engine._submit(
                _piece_facts,
                held,
                self.key(i),
                clusters,
                first,
                *engine._part(asks, i),
            )
            for i, ((held, _), clusters, first) in enumerate(
                zip(engine._texts, self._sent_pieces, self.firsts[:-1].tolist())
            )
        ]
        return [
            engine._submit(
                _part_agreed,
                mine,
                verdicts,
                settings,
                *engine._part(facts, j),
            )
            for j, (mine, verdicts) in enumerate(zip(pairs, judging))
        ]

    def _by_piece(self, articles: np.ndarray) -> list[np.ndarray]:
        """``articles`` (sorted) split by the piece that holds them, each by its place there."""
        firsts = self.firsts
        at = np.searchsorted(articles, firsts).tolist()
        return [articles[lo:hi] - first for first, lo, hi in zip(firsts.tolist(), at, at[1:])]

    def cluster_groups(self, groups: np.ndarray, figures: np.ndarray) -> np.ndarray:
        """Each piece's `cluster_groups`, with its articles' groups, sent by part of the
        clusters (a cluster's number modulo the parts) to where they are made one
        (`merged_groups`, `_part_merged_groups`): here, only the clusters of two or more
        groups, sorted."""
        engine = self.engine
        firsts = self.firsts.tolist()
        mine = [groups[lo:hi] for lo, hi in itertools.pairwise(firsts)]
        parts = self._shuffle_parts()

        def reduced(found: list) -> list[np.ndarray]:
            merged = [
                engine._submit(_part_merged_groups, *engine._part(found, j)) for j in range(parts)
            ]
            return engine._call(engine.client.gather, merged)

        found = self.each(_piece_cluster_groups, figures, parts, each=mine, then=reduced)
        return np.sort(np.concatenate([*found, np.zeros(0, np.int64)]))

    def furniture_lines(self, background: np.ndarray) -> Iterator[tuple[tuple[str, ...], int]]:
        """Each piece's furniture lines' words and clusters (`_piece_furniture`), the first of
        each distinct unit in the piece, made one: the first of each in all."""
        seen: set[tuple[int, int]] = set()
        for found in self._units_each(_piece_furniture, background, self.definition):
            for low, high, words, cluster in found:
                if (low, high) not in seen:
                    seen.add((low, high))
                    yield words, cluster

    def joined(self, background: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each piece's `joined_pairs`, made one: a pair's counts summed (a paragraph is in
        one piece)."""
        found = self.each(_piece_joined, background)
        pairs = np.concatenate([p for p, _ in found]) if found else np.zeros((0, 2), np.int64)
        counts = np.concatenate([c for _, c in found]) if found else np.zeros(0, np.int64)
        if not len(pairs):
            return pairs.reshape(0, 2).astype(np.int64), counts.astype(np.int64)
        pairs, inverse = np.unique(pairs, axis=0, return_inverse=True)
        return pairs, np.bincount(inverse.ravel(), counts, len(pairs)).astype(np.int64)

    def carried_both(self, pairs: np.ndarray) -> np.ndarray:
        """Per pair of clusters (the rows of ``pairs``), how many articles carry both: each
        piece's count (`_piece_carried_both`; an article is in one piece), summed on the
        workers (`_summed`, `_SUM_FAN_IN` at a time)."""
        engine = self.engine
        if not len(pairs):
            return np.zeros(0, dtype=np.int64)

        def reduced(found: list) -> list:
            while len(found) > 1:
                found = [
                    engine._submit(_summed, *found[i : i + _SUM_FAN_IN])
                    for i in range(0, len(found), _SUM_FAN_IN)
                ]
            return engine._call(engine.client.gather, found)

        [both] = self.each(_piece_carried_both, pairs, then=reduced)
        return both

    def separated(self, nodes: np.ndarray, group: np.ndarray) -> np.ndarray:
        """Each piece's `separated_pairs`, made one."""
        found = self.each(_piece_separated, (nodes, group))
        pairs = np.concatenate(found) if found else np.zeros((0, 2), np.int64)
        return np.unique(pairs, axis=0) if len(pairs) else pairs.reshape(0, 2)

    def find_runs(
        self,
        background: np.ndarray,
        blocks: np.ndarray,
        furniture: dict[tuple[str, ...], int],
        furniture_blocks: dict[int, int],
        min_words: int,
    ) -> None:
        """What the runs are found from (`_runs_of`), besides the units' clusters: they are
        found by the next step."""
        self.shared = (background, blocks, furniture, furniture_blocks, min_words)

    def trimmed(self) -> dict[int, tuple[str, int]]:
        """Each piece's runs cut where their glued wordings are cut (`_cut_rows`, of the
        blocks with a glued run, `_piece_glued_blocks`), and their wordings counted
        (`_variants`), in a shuffle on the block (`_piece_trimmed`): each part of the blocks
        counts and ranks their wordings (`_wordings_of_part`, held there), and each piece
        keeps its blocks' carriers there (`carriers`, `summaries`). Here: per block its most
        frequent wording and how many it has (`_part_tops`), and the pieces' characters in
        runs."""
        found = self.each(_piece_glued_blocks, self.shared)
        self.blocks = unique(np.concatenate(found)) if found else np.zeros(0, np.int64)
        self._parts, self._carried, chars, tops = self._counted()
        self.shared_chars = sum(chars)
        # Per block (in order), its most frequent wording and how many it has.
        top: dict[int, tuple[str, int]] = {}
        for blob in tops:
            self._count(blob)
            blocks, texts, counts = _received_value(blob)
            top.update(zip(blocks.tolist(), zip(texts, counts.tolist())))
        self.engine.stats["block_wordings_here"] = len(top)
        return dict(sorted(top.items()))

    def carriers(self, blocks: list[int]) -> dict[int, np.ndarray]:
        """Of ``blocks``, each one's articles, from the pieces that keep them
        (`_piece_carriers`; an article is in one piece, and the pieces are in order)."""
        if not blocks:
            return {}
        asked = np.array(sorted(blocks), dtype=np.int64)
        rows = []
        for blob in self._on_carried(_piece_carriers, asked):
            self._count(blob)
            rows.append(_received_value(blob))
        held = np.concatenate([b for b, _ in rows] + [np.zeros(0, np.int64)])
        firsts = self.firsts[:-1].tolist()
        articles = np.concatenate(
            [a + first for (_, a), first in zip(rows, firsts)] + [np.zeros(0, np.int64)]
        )
        self.engine.stats["block_carriers_here"] = len(articles)
        order = np.argsort(held, kind="stable")
        return carriers_by_block(held[order], articles[order])

    def summaries(self, target: dict[int, int]) -> dict[int, tuple[int, str | None, str | None]]:
        """Per block once joined (``target``), how many articles carry it and their first and
        last dates: each piece's (`_piece_summaries`), by part of the blocks, made one in
        each part (`_part_summaries`)."""
        engine = self.engine
        joined = np.array(sorted(target), dtype=np.int64)
        into = np.array([target[b] for b in joined.tolist()], dtype=np.int64)
        parts = self._shuffle_parts()

        def reduced(found: list) -> list[bytes]:
            merged = [
                engine._submit(_part_summaries, *engine._part(found, j)) for j in range(parts)
            ]
            return engine._call(engine.client.gather, merged)

        found: dict[int, tuple[int, str | None, str | None]] = {}
        for blob in self._on_carried(_piece_summaries, (joined, into), parts, then=reduced):
            self._count(blob)
            blocks, counts, first, last = _received_value(blob)
            found.update(
                (b, (n, f or None, t or None))
                for b, n, f, t in zip(blocks.tolist(), counts.tolist(), first, last)
            )
        return found

    def _on_carried(self, function: Any, *given: Any, then: Any = None) -> Any:
        """``function(held, carried, *given)`` for each piece, with what it keeps of its
        blocks' carriers (`trimmed`), on the worker that holds them (`_after_counting`)."""
        engine = self.engine

        def submitted(sent: list) -> list:
            return [
                engine._submit(function, held, carried, *sent)
                for (held, _), carried in zip(engine._texts, self._carried or [])
            ]

        return self._after_counting(submitted, list(given), then)

    def _after_counting(self, submitted: Any, given: list, then: Any) -> Any:
        """The futures ``submitted(sent)`` makes of what `trimmed` keeps on the workers (the
        parts of the blocks' wordings, each piece's carriers), ``given`` sent: their results
        in order, or what ``then`` makes of them there. A step that starts over (a worker
        holding what they read or what was sent died) counts the runs again (`_counted`)."""
        engine = self.engine
        tries = 0

        def run() -> Any:
            nonlocal tries
            tries += 1
            if self._parts is None or self._carried is None or tries > 1:
                self._parts, self._carried, _, _ = self._counted()
            futures = submitted(engine._sent(given))
            if then is not None:
                return then(futures)
            return engine._call(engine.client.gather, futures)

        return engine._again(run)[0]

    def _shuffle_parts(self) -> int:
        """How many parts the shuffles of the clusters and of the blocks have: as many as
        workers, kept when a step starts over (a block's part is its number modulo the
        parts, `_by_part`)."""
        if not self._part_count:
            self._part_count = max(1, min(self.engine._workers(), len(self.numbers)))
        return self._part_count

    def _cut_rows(self, again: bool) -> list[list[Any]]:
        """Per piece, where its glued wordings are cut, from each part of the glued blocks,
        on the workers: each piece's distinct wordings of the glued blocks go by part
        (`_piece_glued_pairs`), where each part makes them one and cuts them
        (`_cuts_of_part`) and sends each piece the cuts of its wordings. Made once, and
        again when a step starts over (``again``)."""
        engine = self.engine
        if self._cuts is not None and not again:
            return self._cuts
        parts = self._shuffle_parts()

        def reduced(found: list) -> list[list[Any]]:
            cut = [engine._submit(_cuts_of_part, *engine._part(found, j)) for j in range(parts)]
            return [engine._part(cut, i) for i in range(len(found))]

        self._cuts = self.each(_piece_glued_pairs, self.shared, self.blocks, parts, then=reduced)
        return self._cuts

    def _counted(self) -> tuple[list[Any], list[Any], list[int], list[bytes]]:
        """The shuffle of `trimmed`: the parts' futures (each part's blocks' wordings,
        ranked), each piece's blocks' carriers (futures), each piece's characters in runs,
        and each part's most frequent wordings."""
        engine = self.engine
        parts = self._shuffle_parts()

        def reduced(found: list) -> tuple[list[Any], list[Any], list[int], list[bytes]]:
            held = [
                engine._submit(_wordings_of_part, *engine._part(found, 2 + j)) for j in range(parts)
            ]
            carried = engine._part(found, 0)
            chars = engine._part(found, 1)
            tops = [engine._submit(_part_tops, part) for part in held]
            return held, carried, *engine._call(engine.client.gather, [chars, tops])

        return self.each(_piece_trimmed, self.shared, self.blocks, parts, cut=True, then=reduced)

    def on_parts(self, function: Any, each: list, then: Any = None) -> Any:
        """``function(part, mine)`` for each part of the blocks' wordings (`trimmed`), with
        a value for each (``each``, sent), on the worker that holds the part: the results in
        order, or what ``then`` makes of their futures there (`_after_counting`)."""
        engine = self.engine

        def submitted(sent: list) -> list:
            return [engine._submit(function, p, mine) for p, mine in zip(self._parts or [], sent)]

        return self._after_counting(submitted, each, then)

    def _by_part(self, blocks: Iterable[int]) -> list[list[int]]:
        """``blocks`` by the part of the wordings that holds them (a block's number modulo
        the parts)."""
        found: list[list[int]] = [[] for _ in range(self._part_count)]
        for b in blocks:
            found[b % self._part_count].append(b)
        return found

    def wordings(self, blocks: Sequence[int]) -> dict[int, Counter]:
        """Of ``blocks``, each one's wordings with the articles carrying each, from the parts
        that hold them (`_part_wordings`)."""
        if not len(blocks):
            return {}
        found: dict[int, Counter] = {}
        for blob in self.on_parts(_part_wordings, self._by_part(blocks)):
            self._count(blob)
            found.update((b, Counter(dict(w))) for b, w in _received_value(blob).items())
        self.engine.stats["block_wordings_here"] += sum(map(len, found.values()))
        return found

    def place(self, place: dict[int, int], ranked: dict[int, tuple[tuple[str, int], ...]]) -> None:
        self.placed = place
        self.ranked = ranked

    def write_variants(self, folder: str, ids: Sequence[str]) -> Any:
        """Have each part of the blocks' wordings write its blocks' variants, as the part of
        the variants of its number in ``folder`` (`_part_variants`: each block that is one
        after the joins, with its id, of ``ids`` by position, and the variants of those
        joined into it given). Returns
        a future, on the workers, of the keys of every block's variants in order, by its
        position (`_keys_joined`): what numbers a wording in the segments."""
        engine = self.engine
        if self.placed is None:
            raise RuntimeError("internal error: the variants written before the blocks are placed")
        place = self.placed
        # Per part, its blocks that are one after the joins (as the runs name them), with the
        # position and id of each and, for one others joined, its variants: at a position,
        # the block others joined, or the block alone there.
        owner: dict[int, int] = {}
        for b, p in place.items():
            owner.setdefault(p, b)
        owner.update((place[b], b) for b in self.ranked)
        final = [
            {b: (place[b], ids[place[b]], self.ranked.get(b)) for b in mine}
            for mine in self._by_part(sorted(owner.values()))
        ]
        each = [(f"{folder}/part-{j:05d}.parquet", blocks) for j, blocks in enumerate(final)]

        def joined(written: list) -> Any:
            keys = engine._submit(_keys_joined, len(ids), *written)
            engine.stats["variants_written"] = engine._call(
                engine._submit(_keys_counted, keys).result
            )
            return keys

        return self.on_parts(_part_variants, each, then=joined)

    def _count(self, blob: bytes) -> None:
        """What came here of the runs: the blocks' most frequent wordings, the carriers of
        those that may join, the wordings of those joined, and every block's summary
        (`stats`)."""
        stats = self.engine.stats
        stats["block_summary_bytes"] = stats.get("block_summary_bytes", 0) + len(blob)


# Per piece of a build (its `_WorkerRuns` token and number), on the worker that found them:
# its shared runs, once found ("found") or cut ("trimmed"), and their glued pairs
# (`glued_pairs`, with each run's number among them) once asked.
_RUNS: dict[tuple[str, int], tuple[str, _Runs, GluedPairs | None]] = {}


def _units_of(held: _Held) -> tuple[np.ndarray, ...]:
    """On a worker: a piece's units as `newscorpus.blocks.find_runs` reads them: start, end,
    paragraph, whether a whole line, article (by its place in the piece)."""
    records, offsets = held.records, held.offsets
    return (
        records["start"].astype(np.int64),
        records["end"].astype(np.int64),
        records["paragraph"].astype(np.int32),
        records["whole"] > 0,
        np.repeat(np.arange(len(offsets) - 1, dtype=np.int64), np.diff(offsets)),
    )


def _piece_heads(held: _Held, key: tuple, clusters: bytes, asked: bytes) -> np.ndarray:
    """On a worker: `article_heads` of a piece's articles, from their units' clusters (in
    their width)."""
    size, min_words = _received_value(asked)
    found = _received_value(clusters)
    article, n = _units_of(held)[4], len(held.offsets) - 1
    words = held.records["n_words"]
    return article_heads(found, article, words, n, size, min_words).astype(found.dtype)


def _piece_contents(
    held: _Held, key: tuple, clusters: bytes, parts: bytes, first: bytes
) -> list[dict[bytes, list[int]]]:
    """On a worker: `content_digests` of a piece's articles, of their units' keys (a unit
    without words has no distinct unit: one key, 0, stands for all of them); per part of
    `_WorkerRuns.identical` (by the digest), the articles of each digest."""
    n, start = _received_value(parts), _received_value(first)
    records = held.records
    keys = np.column_stack((records["key_low"], records["key_high"]))
    keys[records["n_words"] == 0] = 0
    found: list[dict[bytes, list[int]]] = [{} for _ in range(n)]
    for a, digest in enumerate(content_digests(keys, held.offsets), start):
        if digest is not None:
            found[int.from_bytes(digest[:8], "little") % n].setdefault(digest, []).append(a)
    return found


def _part_identical(*found: dict[bytes, list[int]]) -> list[list[int]]:
    """On a worker: the groups of two or more articles of one digest, of one part of
    `_WorkerRuns.identical` (``found``: from each piece, in order)."""
    articles: dict[bytes, list[int]] = {}
    for piece in found:
        for digest, own in piece.items():
            articles.setdefault(digest, []).extend(own)
    return [group for group in articles.values() if len(group) > 1]


def _profile_parts(held: _Held, key: tuple, clusters: bytes, wanted: bytes) -> list[dict]:
    """On a worker: `profiles_of` a piece's articles that the parts of
    `_WorkerRuns.verdicts` want (``wanted``: the piece's first article, and per part, the
    places of those it wants), per part, by article."""
    first, parts = _received_value(wanted)
    articles = unique(np.concatenate(parts or [np.zeros(0, np.int64)]).astype(np.int64))
    found = _received_value(clusters).astype(np.int64)
    records = held.records
    profiles = article_profiles(articles, held.offsets, found, records["start"], records["end"])
    return [{a + first: profiles[a] for a in part.tolist()} for part in parts]


def _part_verdicts(
    pairs: bytes, background: bytes, settings: bytes, *profiles: dict
) -> list[bool | list[int]]:
    """On a worker: the verdicts of one part's ``pairs`` of `_WorkerRuns.verdicts`, from the
    profiles of their articles (``profiles``, from each piece): pass 1 (`_is_copy`), or with
    the ``background`` clusters, pass 2 (`_strict_verdict`)."""
    s = _received_value(settings)
    behind = _received_value(background)
    of = _by_article(profiles)
    rows = _received_value(pairs).tolist()
    if behind is None:
        return [_is_copy(of[x], of[y], s) for x, y in rows]
    background_set = set(behind.tolist())
    return [_strict_verdict(of[x], of[y], background_set, s) for x, y in rows]


def _by_article(found: Iterable[dict[int, Any]]) -> dict[int, Any]:
    """On a worker: what each piece sent one part of a shuffle by article (``found``: from
    each piece, no article in two), made one."""
    of: dict[int, Any] = {}
    for piece in found:
        of.update(piece)
    return of


def _part_asks(pairs: bytes, verdicts: list, firsts: bytes) -> list[list[tuple[int, list[int]]]]:
    """On a worker: per piece (``firsts``: where each piece's articles start, then where the
    last ends), its articles whose passages one part's undecided pairs of pass 2 of
    `_WorkerRuns.verdicts` share (``verdicts``: a list of them), with those passages."""
    starts = _received_value(firsts)
    asked: dict[int, set[int]] = defaultdict(set)
    for (x, y), verdict in zip(_received_value(pairs).tolist(), verdicts):
        if isinstance(verdict, list):
            asked[x].update(verdict)
            asked[y].update(verdict)
    articles = np.array(sorted(asked), dtype=np.int64)
    piece = (np.searchsorted(starts, articles, side="right") - 1).tolist()
    found: list[list[tuple[int, list[int]]]] = [[] for _ in range(len(starts) - 1)]
    for a, i in zip(articles.tolist(), piece):
        found[i].append((a, sorted(asked[a])))
    return found


def _piece_facts(
    held: _Held, key: tuple, clusters: bytes, first: int, *asks: list[tuple[int, list[int]]]
) -> list[dict[int, dict[int, int]]]:
    """On a worker: `_passage_facts` of the passages each part of `_WorkerRuns.verdicts`
    asked of a piece's articles (``asks``: per part, (article, clusters); ``first``: the
    piece's first article), per part, by article."""
    found = _received_value(clusters).astype(np.int64)
    records, offsets = held.records, held.offsets.tolist()
    start, end = records["start"], records["end"]
    wanted: dict[int, set[int]] = defaultdict(set)
    for ask in asks:
        for a, passages in ask:
            wanted[a].update(passages)
    facts = {}
    for a, passages in wanted.items():
        at = slice(offsets[a - first], offsets[a - first + 1])
        units = passage_units(start[at], end[at], found[at], passages)
        facts[a] = _passage_facts(held.texts[a - first], units)
    return [{a: facts[a] for a, _ in ask} for ask in asks]


def _part_agreed(
    pairs: bytes, verdicts: list, settings: bytes, *facts: dict[int, dict[int, int]]
) -> tuple[list[bool], int]:
    """On a worker: one part's verdicts of pass 2 of `_WorkerRuns.verdicts`, where a pair
    that shares passages (a list of them) is a copy if their facts agree (`_facts_agree`),
    from the facts of their articles (``facts``, from each piece); and how many pairs
    asked for facts."""
    share = _received_value(settings).duplicate_facts
    of = _by_article(facts)
    judged, asked = [], 0
    for (x, y), verdict in zip(_received_value(pairs).tolist(), verdicts):
        if isinstance(verdict, list):
            asked += 1
            verdict = _facts_agree(of[x], of[y], verdict, share)
        judged.append(verdict is True)
    return judged, asked


def _piece_joined(
    held: _Held, key: tuple, clusters: bytes, background: bytes
) -> tuple[np.ndarray, np.ndarray]:
    """On a worker: `joined_pairs` of a piece's units, from their clusters."""
    _, _, paragraph, _, article = _units_of(held)
    found = _received_value(clusters).astype(np.int64)
    return joined_pairs(found, article, paragraph, _received_value(background))


def _piece_carried_both(held: _Held, key: tuple, clusters: bytes, pairs: bytes) -> np.ndarray:
    """On a worker: per pair of clusters (the rows of ``pairs``), how many of a piece's
    articles carry both (`Carriers.overlaps` of its own carriers)."""
    found = _received_value(clusters).astype(np.int64)
    asked = _received_value(pairs)
    article = _units_of(held)[4]
    on = isin_sorted(found, unique(asked.ravel()))
    rows, _ = unique_pairs(found[on], article[on])
    carriers = Carriers.of_rows(rows)
    both = np.zeros(len(asked), dtype=np.int64)
    here = (positions(carriers.clusters, asked) >= 0).all(axis=1)
    both[here] = carriers.overlaps(asked[here])[0]
    return both


def _summed(*found: np.ndarray) -> np.ndarray:
    """On a worker: arrays of one shape, added."""
    return functools.reduce(np.add, found)


def _piece_separated(held: _Held, key: tuple, clusters: bytes, candidates: bytes) -> np.ndarray:
    """On a worker: `separated_pairs` of a piece's units, from their clusters."""
    _, _, paragraph, _, article = _units_of(held)
    nodes, group = _received_value(candidates)
    found = _received_value(clusters).astype(np.int64)
    return separated_pairs(found, article, paragraph, nodes, group)


def _piece_cluster_groups(
    held: _Held, key: tuple, clusters: bytes, figures: bytes, parts: bytes, groups: bytes
) -> list[np.ndarray]:
    """On a worker: `cluster_groups` of a piece's units, from their clusters and their
    articles' groups, by part of the clusters (a cluster's number modulo ``parts``)."""
    article = _units_of(held)[4]
    found = _received_value(clusters).astype(np.int64)
    rows = cluster_groups(found, _received_value(groups)[article], _received_value(figures))
    count = _received_value(parts)
    part = rows[:, 0] % count
    return [rows[part == j] for j in range(count)]


def _part_merged_groups(*found: np.ndarray) -> np.ndarray:
    """On a worker: of one part of the clusters, from every piece (`_piece_cluster_groups`),
    those of two or more groups (`merged_groups`: a cluster's rows are all in its part)."""
    return merged_groups(np.concatenate([*found, np.zeros((0, 3), np.int64)]))


def _piece_furniture(
    held: _Held, numbers: np.ndarray, background: bytes, definition: bytes
) -> list[tuple]:
    """On a worker: the words (`_span_words`) and cluster of each unit of a piece that is a
    furniture line (a whole line in a ``background`` cluster, of a short unit that stands
    alone on a line in enough articles: `Detector._furniture_lines`), the first of each
    distinct unit (by its key) only, in order, as ``(key_low, key_high, words, cluster)``."""
    records = held.records
    found = _unit_clusters(held, numbers, _received_value(definition))
    _, _, alone, _, min_words = _received_value(definition)
    line = isin_sorted(found, _received_value(background)) & (records["whole"] > 0)
    line &= (records["n_words"] < min_words) & isin_sorted(numbers, alone)
    picked = np.flatnonzero(line)
    keys = np.column_stack((records["key_low"][picked], records["key_high"][picked]))
    _, first = np.unique(keys, axis=0, return_index=True) if len(picked) else (None, picked)
    picked = picked[np.sort(first)]
    start, end, _, _, article = _units_of(held)
    out = []
    for a in unique(article[picked]).tolist():
        units = picked[article[picked] == a]
        spans = list(zip(start[units].tolist(), end[units].tolist()))
        for u, words in zip(units.tolist(), _span_words(held.texts[a], spans)):
            out.append(
                (int(records["key_low"][u]), int(records["key_high"][u]), words, int(found[u]))
            )
    return out


def _unit_clusters(held: _Held, numbers: np.ndarray, definition: tuple) -> np.ndarray:
    """On a worker: each unit's cluster (-1: none), as `Detector._occurrence_clusters` makes
    it, from its distinct unit (``numbers``) and ``definition``: the distinct units that are
    not their own cluster (sorted) with their clusters; the short units that stand alone on a
    line in enough articles (sorted); then, if known, the clusters two or more articles carry
    (sorted: any other is -1, as `Detector._multi_article_clusters` makes it)."""
    moved, labels, alone, carried, min_words = definition
    clusters = numbers.astype(np.int64, copy=True)
    if len(moved):
        at = np.minimum(np.searchsorted(moved, numbers), len(moved) - 1)
        hit = moved[at] == numbers
        clusters[hit] = labels[at[hit]]
    records = held.records
    short = (numbers >= 0) & (records["n_words"] < min_words)
    lone = short & (records["whole"] == 0) & (records["figure"] == 0)
    clusters[lone & ~isin_sorted(numbers, alone)] = -1
    if carried is not None:
        clusters[~isin_sorted(clusters, carried)] = -1
    return clusters


def _clusters_of(held: _Held, numbers: np.ndarray, definition: bytes) -> bytes:
    """On a worker: a piece's units' clusters (`_unit_clusters`), as the steps of
    `_WorkerRuns` read them (pickled; 4 bytes a unit where they fit)."""
    found = _unit_clusters(held, numbers, _received_value(definition))
    if not len(found) or int(found.max()) < 1 << 31:
        found = found.astype(np.int32)
    return pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL)


def _piece_alone(held: _Held, numbers: np.ndarray, min_words: bytes) -> tuple:
    """On a worker: of a piece's short units (with words, under ``min_words``) that stand
    alone on a line, each distinct unit with the number of the piece's articles in which it
    does (an article is in one piece: summed over the pieces, in how many articles)."""
    records, article = held.records, _units_of(held)[4]
    on = (numbers >= 0) & (records["whole"] > 0)
    on &= records["n_words"] < _received_value(min_words)
    pairs, _ = unique_pairs(numbers[on], article[on])  # each (distinct unit, article) once
    found, counts = np.unique(pairs[:, 0], return_counts=True)
    return found.astype(np.int64), counts.astype(np.int64)


# A cluster's distinct unit (the smallest in it), as `_carried_parts` finds it: what the
# analysis reads of the cluster (`Carriers.order` and `Carriers.figures`).
_ROOT = np.dtype([("cluster", "<i8"), ("order", "<u8"), ("figure", "i1")])


def _carried_parts(
    held: _Held, numbers: np.ndarray, first: int, parts: bytes, definition: bytes
) -> list[tuple[np.ndarray, np.ndarray]]:
    """On a worker: each (cluster, article) of a piece's units once (its articles numbered
    from ``first``), and each cluster whose distinct unit (the smallest in it) is one of the
    piece's units, once, with that unit's order key and figures flag (`_ROOT`), by part of
    the shuffle of `_WorkerRuns.occurrences` (a hash of the cluster). A cluster carried is
    its distinct unit's somewhere: its first unit, which numbered it, is that unit's cluster
    (it is long, unless the cluster is that unit alone)."""
    found = _unit_clusters(held, numbers, _received_value(definition))
    article = _units_of(held)[4]
    on = found >= 0
    rows, _ = unique_pairs(found[on], article[on] + first)
    own = np.flatnonzero(on & (found == numbers))
    clusters, at = np.unique(found[own], return_index=True)
    roots = np.empty(len(clusters), dtype=_ROOT)
    roots["cluster"] = clusters
    roots["order"] = held.records["key_high"][own[at]] >> np.uint64(1)
    roots["figure"] = held.records["figure"][own[at]]
    count = _received_value(parts)
    part, root_part = rows[:, 0] % count, clusters % count
    return [(rows[part == j], roots[root_part == j]) for j in range(count)]


def _carried_of_part(*found: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, ...]:
    """On a worker: of one part's (cluster, article) rows from every piece, and its
    clusters' distinct units (`_carried_parts`), the clusters two or more articles carry
    (sorted), how many each, and each one's order key and figures flag."""
    rows = np.concatenate([r for r, _ in found]) if found else np.zeros((0, 2), np.int64)
    roots = np.concatenate([x for _, x in found]) if found else np.zeros(0, _ROOT)
    rows = rows[np.lexsort((rows[:, 1], rows[:, 0]))]
    cluster = rows[:, 0]
    starts = np.flatnonzero(np.r_[True, cluster[1:] != cluster[:-1]][: len(rows)])
    counts = np.diff(np.r_[starts, len(rows)])
    multi = counts >= 2
    carried = cluster[starts[multi]]
    roots = roots[np.unique(roots["cluster"], return_index=True)[1]]
    at = positions(roots["cluster"], carried)
    if (at < 0).any():
        raise RuntimeError("internal error: a cluster carried without its distinct unit")
    root = roots[at]
    return carried, counts[multi], root["order"], root["figure"] != 0


def _runs_of(held: _Held, key: tuple[str, int], clusters: np.ndarray, shared: tuple) -> _Runs:
    """On a worker: a piece's runs as found (`newscorpus.blocks.find_runs` and
    `runs_with_texts`, on the units and texts it holds, from their ``clusters``, the blocks of
    the background clusters and the furniture lines, ``shared``), kept in `_RUNS`."""
    kept = _RUNS.get(key)
    if kept is not None and kept[0] == "found":
        return kept[1]
    background, blocks, lines, line_blocks, min_words = shared
    codes = sparse_block_codes(clusters.astype(np.int64), background, blocks)
    texts = held.texts

    def search(function: Any, articles: list[int], args: list, fits: Any) -> list:
        return [function(texts[a], arg) for a, arg in zip(articles, args)]

    found = find_runs(_units_of(held), codes, lines, line_blocks, min_words, search)
    runs = runs_with_texts(found, texts)
    _RUNS[key] = ("found", runs, None)
    return runs


def _piece_glued_blocks(held: _Held, key: tuple, clusters: bytes, shared: bytes) -> np.ndarray:
    """On a worker: the blocks with a glued run among a piece's runs (`_runs_of`)."""
    runs = _runs_of(held, key, _received_value(clusters), _received_value(shared))
    return glued_blocks(runs)


def _piece_glued_pairs(
    held: _Held, key: tuple, clusters: bytes, shared: bytes, blocks: bytes, parts: bytes
) -> list[bytes]:
    """On a worker: the distinct wordings of ``blocks`` among a piece's runs (`glued_pairs`),
    each run's number among them kept with the runs, for `_trimmed_runs`; by part of the
    blocks' shuffle (a block's number modulo ``parts``), in order: their blocks, texts, runs
    and glued ends."""
    runs = _runs_of(held, key, _received_value(clusters), _received_value(shared))
    pairs = glued_pairs(runs, _received_value(blocks))
    _RUNS[key] = ("found", runs, pairs)
    count = _received_value(parts)
    part = np.asarray(pairs.block, dtype=np.int64) % count
    columns = [pairs.block, pairs.text, pairs.runs_with, pairs.bits]
    found = []
    for j in range(count):
        at = np.flatnonzero(part == j).tolist()
        found.append([[column[i] for i in at] for column in columns])
    return [pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL) for value in found]


def _cuts_of_part(*found: bytes) -> list[tuple[np.ndarray, np.ndarray]]:
    """On a worker: one part of the glued wordings, from every piece (`_piece_glued_pairs`),
    made one (a wording's runs summed, its glued ends joined) and cut (`glued_cuts`: a
    block's cuts are its own, wherever its wordings are cut). Per piece, the rows of
    ``lo_at`` and ``hi_at`` of its wordings of the part, in order."""
    index: dict[tuple[int, str], int] = {}
    block: list[int] = []
    text: list[str] = []
    runs_with: list[int] = []
    bits: list[int] = []
    numbers = []  # per piece, the numbers of its wordings here
    for blob in found:
        mine = []
        for b, t, n, x in zip(*_received_value(blob)):
            g = index.setdefault((b, t), len(block))
            if g == len(block):
                block.append(b)
                text.append(t)
                runs_with.append(n)
                bits.append(x)
            else:
                runs_with[g] += n
                bits[g] |= x
            mine.append(g)
        numbers.append(np.array(mine, dtype=np.int64))
    del index
    lo_at, hi_at = glued_cuts(GluedPairs(block, text, runs_with, bits, np.zeros(0, np.int64)))
    return [(lo_at[g], hi_at[g]) for g in numbers]


def _trimmed_runs(
    held: _Held,
    key: tuple,
    clusters: np.ndarray,
    cuts: list[tuple[np.ndarray, np.ndarray]],
    shared: tuple,
    blocks: np.ndarray,
) -> _Runs:
    """On a worker: a piece's runs cut (`apply_cuts`) where its glued wordings are cut
    (``cuts``: per part of the blocks, the rows of ``lo_at`` and ``hi_at`` of its wordings
    of that part, `_cuts_of_part`), kept in `_RUNS`; found again from its units'
    ``clusters`` (`_runs_of`) if they are not kept."""
    kept = _RUNS.get(key)
    if kept is not None and kept[0] == "trimmed":
        return kept[1]
    runs = _runs_of(held, key, clusters, shared)
    pairs = _RUNS[key][2]
    if pairs is None:
        pairs = glued_pairs(runs, blocks)
    part = np.asarray(pairs.block, dtype=np.int64) % max(len(cuts), 1)
    lo_at = np.zeros((len(pairs.block), 4), dtype=np.int64)
    hi_at = np.zeros((len(pairs.block), 4), dtype=np.int64)
    for j, (lo, hi) in enumerate(cuts):
        at = np.flatnonzero(part == j)
        if len(at) != len(lo):
            raise RuntimeError(f"internal error: {len(lo)} cuts for {len(at)} glued wordings")
        lo_at[at], hi_at[at] = lo, hi
    cut = attrs.evolve(
        runs,
        start=runs.start.copy(),
        end=runs.end.copy(),
        wording=runs.wording.copy(),
        texts=list(runs.texts),
        numbers=dict(runs._numbers),
    )
    apply_cuts(cut, pairs.pair_of, lo_at, hi_at)
    _RUNS[key] = ("trimmed", cut, pairs)
    return cut


def _piece_trimmed(
    held: _Held,
    key: tuple,
    clusters: bytes,
    shared: bytes,
    blocks: bytes,
    parts: bytes,
    cuts: list[tuple[np.ndarray, np.ndarray]],
) -> list[bytes]:
    """On a worker: a piece's runs cut (`_trimmed_runs`, where ``cuts`` says), their wordings
    counted (`_variants`: per block, the articles carrying each wording, and its carriers, by
    their places in the piece) and their characters. First the carriers (kept there, for
    `_piece_carriers` and `_piece_summaries`: the blocks, how many articles each, and the
    articles), then the characters, then the wordings by part of the blocks' shuffle (a
    block's number modulo ``parts``): per block, each wording with its articles here."""
    runs = _trimmed_runs(
        held,
        key,
        _received_value(clusters),
        cuts,
        _received_value(shared),
        _received_value(blocks),
    )
    variants, carriers, _, _, _ = _variants(runs)
    chars = int((runs.end - runs.start).sum())
    # Per block its carriers, flat: the blocks, how many each, and the articles (sorted).
    blocks_carried = np.fromiter(carriers, dtype=np.int64, count=len(carriers))
    counts = np.fromiter(map(len, carriers.values()), dtype=np.int64, count=len(carriers))
    articles = np.concatenate([*carriers.values(), np.zeros(0, np.int64)])
    carried = (blocks_carried, counts, articles)
    count = _received_value(parts)
    counted: list[dict[int, list[tuple[str, int]]]] = [{} for _ in range(count)]
    for b, counter in variants.items():
        counted[b % count][b] = list(counter.items())
    return [carried, chars, *(pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL) for c in counted)]


def _piece_carriers(held: _Held, carried: tuple, asked: bytes) -> bytes:
    """On a worker: of the blocks ``asked`` (sorted), those a piece's runs carry, a row per
    (block, article), the articles by their places in the piece (each block's in order)."""
    blocks, counts, articles = carried
    rows = np.repeat(blocks, counts)
    kept = isin_sorted(rows, _received_value(asked))
    return pickle.dumps((rows[kept], articles[kept]), protocol=pickle.HIGHEST_PROTOCOL)


def _piece_summaries(held: _Held, carried: tuple, target: bytes, parts: bytes) -> list[bytes]:
    """On a worker: per block once joined (``target``: the blocks that joined another, sorted,
    and the block each joined), how many of a piece's articles carry it and the first and
    last of their dates ("": none dated), by part of the blocks (a block's number modulo
    ``parts``), as `_summarised` rows."""
    blocks, counts, articles = carried
    joined, into = _received_value(target)
    rows = np.repeat(blocks, counts)
    at = positions(joined, rows)
    joins = at >= 0
    rows[joins] = into[at[joins]]
    found, _ = unique_pairs(rows, articles)  # by block, then article: each article once
    dates = np.array([meta.date or "" for meta in held.metas], dtype=str)[found[:, 1]]
    summed = _summarised(found[:, 0], np.ones(len(found), np.int64), dates, dates)
    count = _received_value(parts)
    part = summed[0] % count
    rows = [tuple(column[part == j] for column in summed) for j in range(count)]
    return [pickle.dumps(row, protocol=pickle.HIGHEST_PROTOCOL) for row in rows]


def _part_summaries(*found: bytes) -> bytes:
    """On a worker: one part of the blocks' summaries, from every piece (`_piece_summaries`),
    made one per block (`_summarised`)."""
    rows = [_received_value(blob) for blob in found]
    columns = (np.concatenate([r[k] for r in rows]) for k in range(4))
    return pickle.dumps(_summarised(*columns), protocol=pickle.HIGHEST_PROTOCOL)


def _summarised(
    blocks: np.ndarray, counts: np.ndarray, first: np.ndarray, last: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Rows of (block, articles, first date, last date; "": none dated) made one per block,
    in order: the articles summed, the first of the first dates and the last of the last.

    >>> found = _summarised(np.array([7, 3, 7]), np.array([1, 2, 4]),
    ...                     np.array(["2021-02-03", "", "2020-01-01"]),
    ...                     np.array(["2021-02-03", "", "2020-05-01"]))
    >>> [column.tolist() for column in found]
    [[3, 7], [2, 5], ['', '2020-01-01'], ['', '2021-02-03']]
    """
    n = len(blocks)
    if not n:
        return blocks.astype(np.int64), counts.astype(np.int64), first.astype(str), last.astype(str)
    order = np.argsort(blocks, kind="stable")
    blocks, counts = blocks[order], counts[order]
    starts = np.flatnonzero(np.r_[True, blocks[1:] != blocks[:-1]])
    # The dates by their places among them all: "" is the smallest, so it is never the last
    # of a block that has a date; for the first, it is taken as past every date.
    dates, code = np.unique(np.concatenate([first[order], last[order]]), return_inverse=True)
    code = code.ravel()
    firsts = np.where(dates[code[:n]] == "", len(dates), code[:n])
    at_first = np.minimum.reduceat(firsts, starts)
    at_last = np.maximum.reduceat(code[n:], starts)
    return (
        blocks[starts],
        np.add.reduceat(counts, starts),
        np.append(dates, "")[at_first],
        dates[at_last],
    )


def _wordings_of_part(*found: bytes) -> dict[int, tuple[tuple[str, int], ...]]:
    """On a worker: one part of the blocks' wordings, from every piece (`_piece_trimmed`):
    per block (in order), its wordings with the articles carrying each (an article is in one
    piece: the pieces' counts add up), most carried first (ties: the smallest text), as
    `newscorpus.blocks.Detector._blocks` ranks a block's variants."""
    counted: dict[int, Counter] = {}
    for blob in found:
        for b, wordings in _received_value(blob).items():
            counter = counted.setdefault(b, Counter())
            for text, n in wordings:
                counter[text] += n
    return {
        b: tuple(sorted(counted[b].items(), key=lambda kv: (-kv[1], kv[0])))
        for b in sorted(counted)
    }


def _part_tops(part: dict[int, tuple[tuple[str, int], ...]]) -> bytes:
    """On a worker: a part's blocks (in order), each one's most frequent wording (its
    canonical text, unless another block joins it) and how many wordings it has."""
    blocks = np.fromiter(part, dtype=np.int64, count=len(part))
    counts = np.fromiter(map(len, part.values()), dtype=np.int64, count=len(part))
    texts = [ranked[0][0] for ranked in part.values()]
    return pickle.dumps((blocks, texts, counts), protocol=pickle.HIGHEST_PROTOCOL)


def _part_wordings(part: dict[int, tuple[tuple[str, int], ...]], blocks: bytes) -> bytes:
    """On a worker: of a part's blocks, those asked (``blocks``), each with its wordings."""
    asked = _received_value(blocks)
    return pickle.dumps({b: part[b] for b in asked}, protocol=pickle.HIGHEST_PROTOCOL)


def _part_variants(part: dict[int, tuple[tuple[str, int], ...]], given: bytes) -> tuple:
    """On a worker: write the variants of a part's blocks that are one after the joins
    (``given``: the path, and per block its position, id, and the variants of those joined
    into it, or None), in order of position (`newscorpus.parquet.write_variants`). Returns
    their positions and the keys of each one's variants (`wording_key`), in order."""
    path, blocks = _received_value(given)
    chosen = sorted(blocks.items(), key=lambda kv: kv[1][0])
    made = [(block_id, ranked or part[b]) for b, (_, block_id, ranked) in chosen]
    positions = np.array([p for _, (p, _, _) in chosen], dtype=np.int64)
    keys = [np.array([wording_key(text) for text, _ in variants], np.int64) for _, variants in made]
    for (block_id, _), found in zip(made, keys):
        if len(np.unique(found)) != len(found):  # 64-bit hashes of a few texts: never seen
            raise RuntimeError(f"internal error: two wordings of block {block_id} share a key")
    write_variants(path, made)
    return positions, keys


def _keys_joined(n: int, *written: tuple) -> tuple[np.ndarray, np.ndarray]:
    """On a worker: the keys of the variants of ``n`` blocks, from every part that wrote
    them (`_part_variants`): where each block's start (by position), then where the last
    one's end, and the keys, block after block."""
    positions = np.concatenate([p for p, _ in written] or [np.zeros(0, np.int64)])
    keys = [k for _, found in written for k in found]
    if not np.array_equal(np.sort(positions), np.arange(n)):
        raise RuntimeError(f"internal error: variants written for {len(positions)} of {n} blocks")
    order = np.argsort(positions)
    counts = np.array([len(keys[i]) for i in order.tolist()], dtype=np.int64)
    starts = np.r_[0, np.cumsum(counts)].astype(np.int64)
    flat = np.concatenate([keys[i] for i in order.tolist()] or [np.zeros(0, np.int64)])
    return starts, flat


def _keys_counted(keys: tuple[np.ndarray, np.ndarray]) -> int:
    """On a worker: how many variants the blocks have (`_keys_joined`)."""
    return len(keys[1])


def _forget_runs() -> None:
    """On a worker: drop the runs kept for the build (`_RUNS`), and the wordings."""
    _RUNS.clear()
    _block_ids.cache_clear()
    _placed_of.cache_clear()


def _texts_held(function: Any, articles: Sequence[int], args: Sequence[Any]) -> list[Any]:
    """`DaskEngine.text_map` where the workers hold the texts: nothing is read here."""
    raise RuntimeError("internal error: a text asked here of an article a worker holds")


def _forget_answers() -> None:
    """On a worker: drop what the analysis's questions to the texts kept (`_piece_facts`)."""
    _unit_facts.cache_clear()


def _narrow(rows: np.ndarray) -> np.ndarray:
    """``rows`` (non-negative) as 4-byte integers where they fit."""
    return rows.astype(np.uint32) if not len(rows) or rows.max() < 1 << 32 else rows


def _received_value(blob: bytes) -> Any:
    """On a worker: a value this process sent (`DaskEngine._sent`)."""
    return pickle.loads(blob)


def _write_part(
    held: _Held,
    key: tuple,
    clusters: bytes,
    ids: bytes,
    placed: bytes,
    keys: tuple[np.ndarray, np.ndarray],
    piece: bytes,
    cuts: list[tuple[np.ndarray, np.ndarray]],
) -> int:
    """On a worker: `newscorpus.parquet.write_part` for the articles of a piece, which it
    holds (`_Held`), with what this process sent of them (``piece``,
    `DaskEngine.write_parts`): each article's segments made from its metadata spans and its
    shared runs, cut (`_trimmed_runs`, where ``cuts`` says) and placed in the blocks
    (``placed``), and checked against its text; a shared one named by its wording's number in
    its block. The wordings are known by their keys alone (``keys``: each block's variants'
    keys, in order, by its position, `_keys_joined`; ``ids``, the blocks' ids): a run's
    wording is the text it covers, and must be one of its block's, by key."""
    path, first, names, copied, meta_spans = _received_value(piece)
    shared, blocks, place = _placed_of(placed)
    texts = held.texts
    if not len(texts) == len(names) == len(held.metas) == len(meta_spans):
        raise RuntimeError(f"internal error: {len(texts)} texts held for {len(names)} articles")
    runs = _trimmed_runs(held, key, _received_value(clusters), cuts, shared, blocks)
    ids = _block_ids(ids)
    key_at, flat = keys
    position = [place[b] for b in runs.block.tolist()]
    starts, ends = runs.start.tolist(), runs.end.tolist()
    bounds = runs.bounds(len(names)).tolist()
    numbers: dict[str, dict[int, int]] = {}  # per block id, its wordings' numbers by key
    key_lists: dict[int, list[int]] = {}  # per block's position, its wordings' keys
    rows = []
    for i, text in enumerate(texts):
        lo, hi = bounds[i], bounds[i + 1]
        shared_runs = []
        own: dict[str, dict[int, str]] = defaultdict(dict)  # the wordings the runs cover
        for start, end, p in zip(starts[lo:hi], ends[lo:hi], position[lo:hi]):
            block = ids[p]
            if block not in numbers:
                key_lists[p] = flat[key_at[p] : key_at[p + 1]].tolist()
                numbers[block] = {k: v for v, k in enumerate(key_lists[p])}
            wording = text[start:end]
            found = wording_key(wording)
            if found not in numbers[block]:
                raise RuntimeError(
                    f"internal error: segments do not rebuild article {first + i}: its text "
                    f"at {start}:{end} is not a wording of block {block}"
                )
            shared_runs.append((start, end, p, numbers[block][found]))
            own[block][found] = wording
        marks = _with_gaps(_placed(meta_spans[i], shared_runs, ids, key_lists), len(text))
        segments = tuple(
            (start, end, kind, block, None if block is None else numbers[block][w])
            for start, end, kind, _, block, w in _segments(text, marks, first + i, own)
        )
        row = [first + i, names[i], held.metas[i], held.fields[i], segments, copied.get(i)]
        rows.append(row)
    return write_part(path, texts, rows)


@functools.lru_cache(maxsize=1)
def _placed_of(blob: bytes) -> tuple:
    """On a worker: the furniture lines, the glued blocks and where each block of the runs is
    placed, which this process sent the workers, read once for the tasks that write."""
    return _received_value(blob)


@functools.lru_cache(maxsize=1)
def _block_ids(blob: bytes) -> list[str]:
    """On a worker: the blocks' ids by position, which this process sent the workers, read
    once for the tasks that write the parts."""
    return _received_value(blob)


def _bands_per_round(n: int, entry: int, workers: int, bands: int) -> int:
    """How many bands a round of the LSH's shuffle takes, of ``bands``, for ``n`` signed units
    whose band entries are ``entry`` bytes on ``workers``: `_BANDS_PER_ROUND`, or fewer where a
    worker's share of a round's entries would pass `_ROUND_BYTES`, as many in each round (the
    rounds' candidates, which weigh more, shrink with them: on the 1 GB corpus's 6.1 million
    units on two workers, 16 bands a round peaked at 7.2 GB a worker, 8 at 5.2 GB). The pairs
    found are the same however many rounds there are.

    >>> _bands_per_round(600_000, 18, 2, 64), _bands_per_round(6_100_000, 18, 2, 64)
    (16, 8)
    >>> _bands_per_round(600_000_000, 18, 64, 64), _bands_per_round(10, 18, 1, 3)
    (3, 3)
    """
    per_band = n * entry / max(workers, 1)  # a worker's share of one band's entries
    most = max(1, min(_BANDS_PER_ROUND, bands, int(_ROUND_BYTES // max(per_band, 1))))
    rounds = -(-bands // most)
    return -(-bands // rounds)


def _fresh_signatures(
    signatures: np.ndarray, held: _Held, numbers: np.ndarray, base: int, min_words: int, count: int
) -> np.ndarray:
    """On a worker: of a piece's signatures (a row per signed unit, in order), the rows of the
    signed units that bring a new number (from ``base``: the piece's first), as `Detector.add`
    counts them of a batch numbered elsewhere (`FRESH_COUNTS`); ``count`` of them."""
    signed, fresh = _new_signed(held, numbers, base, min_words)
    rows = (np.cumsum(signed) - 1)[fresh]
    if int(signed.sum()) != len(signatures) or len(rows) != count:
        raise RuntimeError(
            f"internal error: {len(rows)} new signed units of {len(signatures)}, {count} kept"
        )
    return np.ascontiguousarray(signatures[rows])


def _fresh_units(
    held: _Held, numbers: np.ndarray, base: int, min_words: int, count: int
) -> np.ndarray:
    """On a worker: of a piece's signed units that bring a new number (those of
    `_fresh_signatures`, in order), what the LSH holds of each besides its signature: its
    number, order key and word count (`_GROUP_UNIT`); ``count`` of them."""
    records = held.records
    _, fresh = _new_signed(held, numbers, base, min_words)
    if len(fresh) != count:
        raise RuntimeError(f"internal error: {len(fresh)} new signed units, {count} kept")
    order = records["key_high"][fresh] >> np.uint64(1)
    return _group_units(numbers[fresh], order, records["n_words"][fresh])


def _new_signed(
    held: _Held, numbers: np.ndarray, base: int, min_words: int
) -> tuple[np.ndarray, np.ndarray]:
    """On a worker: whether each of a piece's units is signed, and, in order, those signed
    that bring a new number (from ``base``: the piece's first)."""
    signed = signed_units(held.records["n_words"], held.records["figure"], min_words)
    fresh = first_new(numbers, base)
    return signed, fresh[signed[fresh]]


def _kept_signatures(signatures: np.ndarray, rows: bytes) -> np.ndarray:
    """On a worker: the rows the build kept (sent by this process, `DaskEngine._sent`), in
    its order."""
    return np.ascontiguousarray(signatures[_received_value(rows)])


def _band_map(
    sigs: np.ndarray,
    units: np.ndarray,
    bands: tuple[int, int],
    rows: int,
    parts: int,
    n: int,
) -> list[tuple[np.ndarray, ...]]:
    """On a worker: the entries of bands ``bands[0]`` to ``bands[1]`` of a group's signed
    units (``units``: `_GROUP_UNIT`, with their ``sigs``), split into ``parts`` by a hash of
    (band, key), so that each bucket lands whole in one part. An entry (`_entry_dtype`) goes
    as four arrays: bands, keys, units' ids and order keys."""
    count, lo, hi = len(sigs), *bands
    entry = _entry_dtype(n)
    # The round's columns, each contiguous (a column of the row-major signatures is read a
    # value every row), then every entry of the round at once, put in order of part.
    columns = np.ascontiguousarray(sigs[:, lo * rows : hi * rows].T)
    keys = np.empty((hi - lo, count), dtype=np.uint64)
    for b in range(hi - lo):
        keys[b] = band_key(columns[b * rows : (b + 1) * rows].T, 0, rows)
    keys = keys.ravel()
    band = np.repeat(np.arange(lo, hi, dtype=entry["band"]), count)
    part = ((keys * _PART_MIX + band) >> np.uint64(33)) % np.uint64(parts)
    by_part = np.argsort(part.astype(np.uint8 if parts <= 256 else np.int64), kind="stable")
    cuts = np.searchsorted(part[by_part], np.arange(1, parts, dtype=np.uint64))
    index = units["id"].astype(entry["index"])
    at = by_part % count if count else by_part
    fields = (band[by_part], keys[by_part], index[at], units["order"][at])
    return list(zip(*(np.split(x, cuts) for x in fields)))


def _band_reduce(
    bases: np.ndarray, max_bucket: int, parts: list[tuple[np.ndarray, ...]]
) -> dict[int, tuple[np.ndarray, frozenset[int]]]:
    """On a worker: the candidate pairs ``(i, j)``, ``i < j``, of the buckets of one part,
    once each, as their codes (`pair_codes`), grouped by the group of ``i`` (``bases``: each
    group's first distinct id, then one past the last), with the groups of the ``j``. A bucket
    of more than ``max_bucket`` members (a star and a chain) is put in order of its entries'
    order keys, then units, as `band_pairs` orders one.

    Each of ``parts`` (a map's, `_band_map`) is in band order: a band's entries are taken
    from each in turn, in the order of ``parts``, so that no copy of the whole round's entries
    is made, nor sorted by band."""
    n = int(bases[-1])
    parts = [part for part in parts if len(part[0])]
    if sum(len(part[0]) for part in parts) < 2:
        return {}
    if any((part[0][1:] < part[0][:-1]).any() for part in parts):
        raise RuntimeError("internal error: band entries out of band order")
    # The bands of the parts: the first entry of each run of one band, in each.
    firsts = [part[0][np.r_[True, part[0][1:] != part[0][:-1]]] for part in parts]
    bands = unique(np.concatenate(firsts))
    edges = [
        (np.searchsorted(part[0], bands, "left"), np.searchsorted(part[0], bands, "right"))
        for part in parts
    ]
    found = []
    for b in range(len(bands)):
        spans = [(part, int(lo[b]), int(hi[b])) for part, (lo, hi) in zip(parts, edges)]
        spans = [(part, lo, hi) for part, lo, hi in spans if hi > lo]
        if sum(hi - lo for _, lo, hi in spans) < 2:
            continue
        key, unit, order_key = (
            np.concatenate([part[f][lo:hi] for part, lo, hi in spans]) for f in (1, 2, 3)
        )
        if int(key.max()) < 1 << 32:
            # Key and position packed in one uint64: one plain sort.
            packed = np.sort((key << np.uint64(32)) | np.arange(len(key), dtype=np.uint64))
            order = (packed & np.uint64(0xFFFFFFFF)).astype(np.int64)
            keys = packed >> np.uint64(32)
        else:
            order = np.argsort(key, kind="stable")
            keys = key[order]
        members, orders = unit[order].astype(np.int64), order_key[order]
        starts = np.r_[0, np.flatnonzero(keys[1:] != keys[:-1]) + 1]
        sizes = np.diff(np.r_[starts, len(keys)])
        for start, size in zip(starts[sizes > max_bucket].tolist(), sizes[sizes > max_bucket]):
            at = slice(start, start + size)
            members[at] = members[at][np.lexsort((members[at], orders[at]))]
        multi = sizes > 1
        found.append(pair_codes(bucket_pairs(members, starts[multi], sizes[multi], max_bucket), n))
    if not found:
        return {}
    codes = unique(np.concatenate(found))  # sorted: by i, then j
    first = np.searchsorted(bases, codes // n, side="right") - 1
    second = np.searchsorted(bases, codes % n, side="right") - 1
    cuts = np.flatnonzero(np.diff(first)) + 1
    return {
        int(f[0]): (c, frozenset(unique(q).tolist()))
        for c, f, q in zip(np.split(codes, cuts), np.split(first, cuts), np.split(second, cuts))
        if len(c)
    }


def _joins_of(found: dict[int, tuple[np.ndarray, frozenset[int]]]) -> dict[int, frozenset[int]]:
    """On a worker: for each first group of `_band_reduce`'s pairs, the groups of the seconds."""
    return {group: seconds for group, (_, seconds) in found.items()}


def _unit_groups(counts: list[int], parts: int, num_perm: int) -> list[int]:
    """Consecutive shards (of ``counts`` signed units each) grouped for banding and verifying,
    as the bounds of each group in the shards: ``parts`` groups, or more where a group's
    signatures would pass `_GROUP_BYTES`, of about the same number of units (a group ends at
    the shard that takes it past its share), so fewer where shards are few or uneven.

    >>> _unit_groups([5, 5, 5, 5, 5, 5], 3, 128)
    [0, 2, 4, 6]
    >>> _unit_groups([1, 100, 1], 8, 128)
    [0, 2, 3]
    """
    total = sum(counts)
    wanted = max(parts, -(-total * 2 * num_perm // _GROUP_BYTES), 1)
    ends = np.cumsum(counts)
    # Each group ends at the first shard that takes it past its share of the units.
    cuts = np.searchsorted(ends, np.arange(1, wanted) * total / wanted, side="left") + 1
    return sorted({0, *np.minimum(cuts, len(counts)).tolist(), len(counts)})


def _joined(*arrays: np.ndarray) -> np.ndarray:
    """On a worker: one group's signatures (its shards' kept rows, one after the other)."""
    return np.concatenate(arrays)


def _attach(
    sigs: np.ndarray,
    units: np.ndarray,
    bases: np.ndarray,
    n: int,
    passed: np.ndarray,
    seconds: list[int],
    candidates: list[tuple[np.ndarray, frozenset[int]]],
) -> dict[int, tuple[np.ndarray, ...]]:
    """On a worker: the candidates whose first unit is in one group (whose ``sigs`` and
    ``units``, `_GROUP_UNIT`, it holds; ``bases``: each group's first distinct id, then one
    past the last), from the parts of the band shuffle (`_band_reduce`), once each, without
    those that passed in an earlier round (``passed``: their codes, sorted; a similar pair
    shares many bands), split by the group of the second unit: per group of ``seconds``, the
    pairs' codes, and the signatures, word counts and order keys of their first units
    attached (empty where none is left).

    A unit is the first of several candidates (3.5 on average at 1 GB, from buckets of up to
    ``max_bucket`` members), and its signature (2 bytes a permutation, 256 by default) is most
    of what a candidate weighs: each group of seconds gets the signature of each first unit
    once, and per candidate the place of its first unit's among them."""
    codes = unique(np.concatenate([c for c, _ in candidates]))
    codes = codes[~isin_sorted(codes, passed)]
    i, j = codes // n, codes % n
    rows = _rows_of(units, i)
    second = np.searchsorted(bases, j, side="right") - 1
    order = np.argsort(second, kind="stable")
    starts = np.searchsorted(second[order], seconds, side="left")
    ends = np.searchsorted(second[order], seconds, side="right")
    sent = {}
    for q, lo, hi in zip(seconds, starts.tolist(), ends.tolist()):
        at = order[lo:hi]
        firsts, index = np.unique(rows[at], return_inverse=True)
        sent[q] = (
            codes[at],
            index.astype(np.uint32),
            sigs[firsts],
            units["words"][firsts],
            units["order"][firsts],
        )
    return sent


def _rows_of(units: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """On a worker: the rows of a group's ``units`` (`_GROUP_UNIT`) that are ``ids``."""
    rows = positions(units["id"], ids)
    if (rows < 0).any():
        raise RuntimeError("internal error: a candidate's unit not in its group")
    return rows


def _verify_attached(
    sigs: np.ndarray,
    units: np.ndarray,
    s: Settings,
    n: int,
    sent: list[tuple[np.ndarray, ...]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
    """On a worker: of the candidates whose second unit is in one group (with their ``sigs``
    and ``units``, `_GROUP_UNIT`), sent by the groups of their first units with those units'
    signatures, word counts and order keys (`_attach`), the pairs that pass verification,
    as pair codes, with their similarity and the order keys of their two units; how many
    candidates it checked, and the bytes of what it was sent."""
    codes, found, keys = [], [], []
    for pair_code, index, first_sigs, first_words, first_order in sent:
        for lo in range(0, len(pair_code), _VERIFY_BATCH):
            c = pair_code[lo : lo + _VERIFY_BATCH]
            i, j = index[lo : lo + _VERIFY_BATCH], _rows_of(units, c % n)
            sim = similarity(first_sigs[i], sigs[j], first_words[i], units["words"][j], s)
            kept = sim >= s.unit_threshold
            codes.append(c[kept])
            found.append(sim[kept])
            keys.append(np.stack([first_order[i[kept]], units["order"][j[kept]]], axis=1))
    return (
        np.concatenate(codes or [np.zeros(0, np.int64)]),
        np.concatenate(found or [np.zeros(0)]),
        np.concatenate(keys or [np.zeros((0, 2), np.uint64)]),
        sum(len(c) for c, *_ in sent),
        sum(x.nbytes for attached in sent for x in attached),
    )


# What a verifying task that found no pair gives, per item of what it found.
_NO_PAIRS = (np.zeros(0, np.int64), np.zeros(0), np.zeros((0, 2), np.uint64))


def _pair_columns(found: Sequence[tuple]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The codes, similarities and order keys of the pairs of ``found`` (what verifying tasks
    found, `_verify_attached`, or the weak pairs kept of it, `_weak_pairs`), one after the
    other."""
    codes, similarity, keys = (
        np.concatenate([f[k] for f in found] or [empty]) for k, empty in enumerate(_NO_PAIRS)
    )
    return codes, similarity, keys


def _verified_counts(found: tuple) -> tuple[int, int, int]:
    """On a worker: how many candidates a verifying task checked, the bytes it was sent, and
    how many pairs passed (`_verify_attached`)."""
    return found[3], found[4], len(found[0])


def _passed_by_group(found: tuple, bases: np.ndarray, n: int) -> list[np.ndarray]:
    """On a worker: the codes of the pairs a verifying task found, per group of their first
    units (``bases``: each group's first distinct id, then one past the last), sorted."""
    codes = np.sort(found[0])
    cuts = np.searchsorted(codes, bases * n)
    return [codes[lo:hi] for lo, hi in zip(cuts, cuts[1:])]


def _passed_joined(before: np.ndarray, *found: np.ndarray) -> np.ndarray:
    """On a worker: the codes that passed before, with those found since, sorted."""
    return np.sort(np.concatenate([before, *found]))


def _strong_forest(found: tuple, n: int, strong: float) -> tuple[np.ndarray, np.ndarray]:
    """On a worker: the `_forest` of the strong pairs a verifying task found."""
    codes, similarity = found[0], found[1]
    return _forest(decode_pairs(codes[similarity >= strong], n))


def _forests_joined(*forests: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """On a worker: the `_forest` of some forests' edges together."""
    return _forest(np.concatenate([np.stack(f, axis=1) for f in forests]))


def _clustered_units(forest: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """On a worker: the units in a strong pair, sorted: those of the strong pairs' forest."""
    return unique(np.concatenate(forest))


def _weak_pairs(found: tuple, n: int, clustered: np.ndarray, s: Settings) -> tuple[np.ndarray, ...]:
    """On a worker: the weak pairs a verifying task found (below the strong threshold) that
    can count in `_link`: one unit or both in no strong pair (not ``clustered``,
    `_clustered_units`); with their similarity and order keys."""
    codes, similarity, keys = found[:3]
    weak = (similarity < s.strong_threshold) & (similarity >= s.unit_threshold)
    weak[weak] &= ~(
        isin_sorted(codes[weak] // n, clustered) & isin_sorted(codes[weak] % n, clustered)
    )
    return codes[weak], similarity[weak], keys[weak]


def _linked_of(
    forest: tuple[np.ndarray, np.ndarray], n: int, s: Settings, *weak: tuple[np.ndarray, ...]
) -> tuple[np.ndarray, np.ndarray]:
    """On a worker: `_linked_forest` of the strong pairs' ``forest`` and the ``weak`` pairs
    that can count, found by the verifying tasks (each pair by one)."""
    codes, similarity, keys = _pair_columns(weak)
    return _linked_forest(
        forest,
        decode_pairs(codes, n),
        similarity,
        keys,
        s.unit_threshold,
        s.strong_threshold,
    )


def _prepare_documents(rows: list[tuple[str, dict]], settings: Settings) -> tuple:
    """On a worker: `_prepare_batch` with the worker set up for ``settings``."""
    started = time.perf_counter()
    return _measured(_prepare_rows(rows, settings), started)


def _measured(result: Any, started: float) -> tuple[Any, float, int]:
    """A task's result, the seconds it took, and its size as sent (pickled, out-of-band
    buffers included)."""
    return result, time.perf_counter() - started, _sent_size(result)


def _sent_size(result: Any) -> int:
    """Bytes of ``result`` as Dask sends it: pickled, out-of-band buffers included."""
    buffers: list = []
    size = len(pickle.dumps(result, protocol=5, buffer_callback=buffers.append))
    return size + sum(memoryview(b).nbytes for b in buffers)


def _prepare_rows(rows: list[tuple[str, dict]], settings: Settings) -> tuple:
    _ready_worker(settings)
    return _prepare_batch(rows)


@contextlib.contextmanager
def dask_client(workers: int, scheduler: str | None = None) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a new one of ``workers`` processes on
    this machine, shut down when done."""
    with quiet_event_loop():
        client = remote_client(scheduler) if scheduler else local_client(workers)
        try:
            yield client
        finally:
            cluster = None if scheduler else client.cluster
            with contextlib.suppress(Exception):
                client.close()
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()


@contextlib.contextmanager
def quiet_event_loop() -> Iterator[None]:
    """No reports from asyncio while a cluster runs in or for this process. When workers die,
    a scheduler here (a local cluster's) or the client may leave the failure of one of several
    messages sent at once unawaited, and asyncio prints "Future exception was never retrieved"
    with a traceback; the build reports the failure itself (`EngineError`), once."""
    log = logging.getLogger("asyncio")
    level = log.level
    log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        log.setLevel(level)


def local_client(workers: int, no_workers_timeout: str = _NO_WORKERS_TIMEOUT) -> Any:
    """A client of a new cluster on this machine: ``workers`` processes of one thread each
    (the work holds Python's lock). Close it, and its cluster, when done. A task left with no
    worker to run on for ``no_workers_timeout`` fails, and so does the build."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError(_MISSING) from None
    # A build whose workers are all gone (and not coming back) fails, rather than waiting.
    with dask.config.set({"distributed.scheduler.no-workers-timeout": no_workers_timeout}):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: 8787 may be taken by another cluster
            silence_logs=logging.CRITICAL,  # a lost worker is replaced: no logs in the output
        )
    return Client(cluster)


def remote_client(address: str, timeout: float = 10.0) -> Any:
    """A client of the running cluster whose scheduler is at ``address``."""
    try:
        from distributed import Client
    except ImportError:
        raise EngineError(_MISSING) from None
    try:
        return Client(address, timeout=timeout)
    except Exception as error:
        raise EngineError(
            f"cannot reach the Dask scheduler at {address}: {type(error).__name__}: {error}"
        ) from None


_MISSING = 'the Dask engine needs Dask: pip install "newscorpus[dask]"'
