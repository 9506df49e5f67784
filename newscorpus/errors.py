"""Every error newscorpus raises for bad input, in one place.

Each subclasses a builtin so callers can catch it generically, and each message says what was
expected, what was found, and where (file, line, byte offset).
"""

from __future__ import annotations


class NewsCorpusError(Exception):
    """Base class of every error newscorpus raises on purpose."""


class _Located:
    """A message that says where: ``path``, ``line`` (1-based) and ``offset`` (byte offset from
    the start of the file), when known, start the message; ``reason`` is the message alone."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        offset: int | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.offset = offset
        self.reason = message
        # A mixin: the next class in the method order is always an Exception or a Warning.
        super().__init__(_locate(message, path, line, offset))  # type: ignore[call-arg]

    def __reduce__(self) -> tuple:
        # Rebuilt with its place, not from the located message alone: errors and warnings
        # cross processes when the inputs are read on a cluster's workers.
        return _rebuild, (type(self), self.reason, self.path, self.line, self.offset)


class InputError(_Located, NewsCorpusError, ValueError):
    """An input file (folder, JSON lines, text file) cannot be read as documents; the message
    starts with where (see ``path``, ``line``, ``offset``)."""


class ContainerError(InputError):
    """A ``<<<FILE name>>>`` container is malformed.

    ``path``, ``line`` (1-based) and ``offset`` (byte offset from the start of the file) say where,
    when known (the constructor is :class:`InputError`'s).
    """


class InputWarning(_Located, UserWarning):
    """A problem in an input that lenient reading repaired or skipped instead of raising.

    Carries ``path``, ``line`` and ``offset`` like :class:`InputError`.
    """


class ContainerWarning(InputWarning):
    """A problem in a ``<<<FILE name>>>`` container that lenient reading repaired or skipped."""


class StoreError(NewsCorpusError, ValueError):
    """A store file is missing, not a newscorpus store, or of an unsupported schema version."""


class EngineError(NewsCorpusError, RuntimeError):
    """The engine running a build failed: a Dask cluster could not be reached, or lost the
    workers it needed; or a process of the local engine died. Nothing was written."""


def _rebuild(
    cls: type, reason: str, path: str | None, line: int | None, offset: int | None
) -> _Located:
    return cls(reason, path=path, line=line, offset=offset)


def _locate(message: str, path: str | None, line: int | None, offset: int | None) -> str:
    where = []
    if path is not None:
        where.append(str(path))
    if line is not None:
        where.append(f"line {line}")
    if offset is not None:
        where.append(f"byte {offset}")
    return f"{', '.join(where)}: {message}" if where else message
