"""Every error newscorpus raises for bad input, in one place.

Each subclasses a builtin so callers can catch it generically, and each message says what was
expected, what was found, and where (file, line, byte offset).
"""

from __future__ import annotations


class NewsCorpusError(Exception):
    """Base class of every error newscorpus raises on purpose."""


class InputError(NewsCorpusError, ValueError):
    """An input file (folder, JSON lines, text file) cannot be read as documents.

    ``path``, ``line`` (1-based) and ``offset`` (byte offset from the start of the file) say where,
    when known; the message starts with them.
    """

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
        super().__init__(_locate(message, path, line, offset))


class ContainerError(InputError):
    """A ``<<<FILE name>>>`` container is malformed.

    ``path``, ``line`` (1-based) and ``offset`` (byte offset from the start of the file) say where,
    when known (the constructor is :class:`InputError`'s).
    """


class InputWarning(UserWarning):
    """A problem in an input that lenient reading repaired or skipped instead of raising.

    Carries ``path``, ``line`` and ``offset`` like :class:`InputError`.
    """

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
        super().__init__(_locate(message, path, line, offset))


class ContainerWarning(InputWarning):
    """A problem in a ``<<<FILE name>>>`` container that lenient reading repaired or skipped."""


class StoreError(NewsCorpusError, ValueError):
    """A store file is missing, not a newscorpus store, or of an unsupported schema version."""


def _locate(message: str, path: str | None, line: int | None, offset: int | None) -> str:
    where = []
    if path is not None:
        where.append(str(path))
    if line is not None:
        where.append(f"line {line}")
    if offset is not None:
        where.append(f"byte {offset}")
    return f"{', '.join(where)}: {message}" if where else message
