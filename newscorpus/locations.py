"""Where inputs are: a local path, or a URL that an fsspec backend reads (``file://``,
``s3://`` with s3fs, ``gs://`` with gcsfs, ``http(s)://``, ``memory://`` ...).

Local paths go to ``os`` exactly as before; only a name with ``://`` goes to fsspec, which the
Dask engine installs (``pip install fsspec`` and the backend otherwise). So shared storage works
where the user has its backend: the Dask engine's workers open the same URL.

>>> is_url("s3://bucket/news.jsonl"), is_url("news.jsonl")
(True, False)
>>> join("s3://bucket/crawl/", "a/b.txt"), join("crawl", "b.txt") == os.path.join("crawl", "b.txt")
('s3://bucket/crawl/a/b.txt', True)
"""

from __future__ import annotations

import os
from typing import IO, Any

from newscorpus.errors import InputError


def is_url(path: str | os.PathLike[str]) -> bool:
    return "://" in os.fsdecode(path)


def _fs(url: str) -> tuple[Any, str]:
    """The fsspec filesystem of ``url`` and the path within it."""
    try:
        import fsspec
    except ImportError:
        raise InputError(
            "reading a URL needs fsspec (and its backend): pip install fsspec", path=url
        ) from None
    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as error:
        raise InputError(f"cannot read this URL: {error}", path=url) from None


def is_dir(path: str | os.PathLike[str]) -> bool:
    if not is_url(path):
        return os.path.isdir(path)
    fs, inner = _fs(os.fsdecode(path))
    return bool(fs.isdir(inner))


def is_file(path: str | os.PathLike[str]) -> bool:
    if not is_url(path):
        return os.path.isfile(path)
    fs, inner = _fs(os.fsdecode(path))
    return bool(fs.isfile(inner))


def lexists(path: str | os.PathLike[str]) -> bool:
    if not is_url(path):
        return os.path.lexists(path)
    fs, inner = _fs(os.fsdecode(path))
    return bool(fs.exists(inner))


def size(path: str | os.PathLike[str]) -> int:
    if not is_url(path):
        return os.path.getsize(path)
    fs, inner = _fs(os.fsdecode(path))
    return int(fs.size(inner))


def open_binary(path: str | os.PathLike[str]) -> IO[bytes]:
    """``path`` opened for reading bytes, with ``seek`` and ``tell``."""
    if not is_url(path):
        return open(path, "rb")
    fs, inner = _fs(os.fsdecode(path))
    return fs.open(inner, "rb")


def read_bytes(path: str | os.PathLike[str]) -> bytes:
    with open_binary(path) as fp:
        return fp.read()


def join(root: str, name: str) -> str:
    """``name`` (a relative POSIX path) inside ``root``."""
    if not is_url(root):
        return os.path.join(root, name)
    return root.rstrip("/") + "/" + name


def url_files(root: str, suffix: str) -> list[tuple[str, str]]:
    """The files below the URL ``root`` whose names end with ``suffix``, as ``(name, URL)``
    sorted by name, the path relative to ``root``."""
    fs, inner = _fs(root)
    inner = inner.rstrip("/")
    found = []
    for path in fs.find(inner):
        relative = path[len(inner) :].lstrip("/")
        if relative.endswith(suffix):
            found.append((relative, join(root, relative)))
    return sorted(found)
