"""The build on a Dask cluster (``pip install "newscorpus[dask]"``).

The workers read the inputs, piece by piece (`newscorpus.pieces`: byte ranges of containers and
JSON lines that start at a record, runs of a folder's files), and segment, extract metadata and
sign the articles of each piece. This process puts the pieces back in input order, checks the
names as a local read does, finds the blocks and copies, and writes the store, so the store is
the one the local engine writes, byte for byte in its export.

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

import contextlib
import itertools
import logging
import pickle
import time
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from newscorpus.build import _BATCH, _batches, _prepare_batch, _ready_worker
from newscorpus.document import Document
from newscorpus.errors import EngineError, NewsCorpusError
from newscorpus.pieces import Assembler, Piece, plan, read
from newscorpus.readers import Inputs, ReadMeter, input_size
from newscorpus.settings import Settings

_NO_WORKERS_TIMEOUT = "60s"
_MIN_PIECE = 1 << 20
_MAX_PIECE = 32 << 20


@attrs.define
class DaskEngine:
    """Read, segment, extract metadata and sign on the workers of a Dask ``client``.

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

    @contextlib.contextmanager
    def prepare(
        self, docs: Iterable[Document] | Inputs, settings: Settings, meter: ReadMeter | None
    ) -> Iterator[Iterator[tuple]]:
        pending: deque = deque()
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
        waiting = iter(pieces)
        for piece in itertools.islice(waiting, self._ahead()):
            pending.append((piece, self._submit(_read_piece, piece, inputs, settings)))
        while pending:
            piece, future = pending.popleft()
            done, prepared = self._received(future)
            for later in itertools.islice(waiting, 1):
                pending.append((later, self._submit(_read_piece, later, inputs, settings)))
            documents = assembler.documents(piece, done)
            for count, batch in prepared:
                docs = list(itertools.islice(documents, count))
                # The names are unique once assembled; checked as a local build checks them.
                for _ in _batches(docs, names, settings.max_article_chars):
                    pass
                yield (docs, *batch)
            for _ in documents:  # the rest raises: the piece's error, or an article too long
                pass

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
            for later in itertools.islice(batches, 1):
                submit(later)
            yield (batch, *prepared)

    # -- the cluster ----------------------------------------------------------------------------

    def _workers(self) -> int:
        return max(len(self._call(self.client.scheduler_info).get("workers", {})), 1)

    def _ahead(self) -> int:
        return self.ahead or 2 * self._workers()

    def _submit(self, function: Any, *args: Any) -> Any:
        return self._call(self.client.submit, function, *args, pure=False)

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


def _prepare_documents(rows: list[tuple[str, dict]], settings: Settings) -> tuple:
    """On a worker: `_prepare_batch` with the worker set up for ``settings``."""
    started = time.perf_counter()
    return _measured(_prepare_rows(rows, settings), started)


def _measured(result: Any, started: float) -> tuple[Any, float, int]:
    """A task's result, the seconds it took, and its size as sent (pickled, out-of-band
    buffers included)."""
    seconds = time.perf_counter() - started
    buffers: list = []
    size = len(pickle.dumps(result, protocol=5, buffer_callback=buffers.append))
    size += sum(memoryview(b).nbytes for b in buffers)
    return result, seconds, size


def _prepare_rows(rows: list[tuple[str, dict]], settings: Settings) -> tuple:
    _ready_worker(settings)
    return _prepare_batch(rows)


@contextlib.contextmanager
def dask_client(workers: int, scheduler: str | None = None) -> Iterator[Any]:
    """A client of the cluster at ``scheduler``, or of a new one of ``workers`` processes on
    this machine, shut down when done."""
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


def local_client(workers: int) -> Any:
    """A client of a new cluster on this machine: ``workers`` processes of one thread each
    (the work holds Python's lock). Close it, and its cluster, when done."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise EngineError(_MISSING) from None
    # A build whose workers are all gone (and not coming back) fails, rather than waiting.
    with dask.config.set({"distributed.scheduler.no-workers-timeout": _NO_WORKERS_TIMEOUT}):
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
