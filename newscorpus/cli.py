"""The ``newscorpus`` command line.

Each subcommand is a :class:`Command` in :data:`COMMANDS`: a function that adds its arguments to
a parser and a function that runs it. To add one, write the two functions and append a record.

Exit status:

* 0: success;
* 2: bad input or usage: wrong arguments, a missing input, a malformed, unsafe or undecodable
  input, a refused overwrite (any :class:`~newscorpus.errors.NewsCorpusError` or ValueError);
* 1: any other failure of the system (an OSError: permission denied, disk full ...), or of the
  Dask cluster a build runs on (:class:`~newscorpus.errors.EngineError`);
* 130: interrupted (Ctrl-C).

Errors are printed as one line ``newscorpus: error: <message>`` on stderr, sometimes followed by
a ``hint: ...`` line; never as a traceback. Warnings (from ``--lenient`` reading, skipped links)
are printed as ``newscorpus: warning: <message>``.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sqlite3
import stat
import sys
import warnings
from collections.abc import Callable, Iterator
from itertools import zip_longest
from typing import TYPE_CHECKING, Any

import attrs

from newscorpus import __version__
from newscorpus.container import ContainerEntry, iter_entries, path_problem, write_container
from newscorpus.errors import EngineError, InputError, InputWarning, NewsCorpusError
from newscorpus.locations import is_url
from newscorpus.readers import Inputs, ReadMeter, iter_inputs

if TYPE_CHECKING:
    from newscorpus.report import Progress
    from newscorpus.store import Corpus

PROG = "newscorpus"
_LENIENT_HINT = "--lenient skips or repairs bad input and reports each problem as a warning"


@attrs.frozen
class Command:
    """One subcommand: its name, a one-line help, how to add its arguments, how to run it.

    ``run`` returns the exit status; it reports failures by raising (see the module docstring).
    """

    name: str
    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


class Refused(InputError):
    """The command will not do what was asked (unsafe name, existing file ...); ``hint`` says
    what to do instead, or is None."""

    def __init__(self, message: str, *, hint: str | None = None, **where: Any) -> None:
        super().__init__(message, **where)
        self.hint = hint


# --- pack ----------------------------------------------------------------------------------------


def _pack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a text file (named by its file name) or a folder (every .txt below it, named by "
        "its relative path)",
    )
    parser.add_argument("-o", "--output", required=True, metavar="OUT.corpus")
    parser.add_argument("--lenient", action="store_true", help=_LENIENT_HINT)


def pack(args: argparse.Namespace) -> int:
    """Bundle text files and folders into one container, written atomically."""
    for path in args.paths:
        if not os.path.lexists(path):
            raise Refused("no such file or folder", path=path)
    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):
        raise Refused(f"the output folder {folder} does not exist", path=args.output)
    documents = iter_inputs(args.paths, format="text", lenient=args.lenient)
    count = write_container(args.output, documents)
    size = os.path.getsize(args.output)
    _say(f"packed {_articles(count)} ({size:,} bytes) into {args.output}")
    return 0


# --- unpack --------------------------------------------------------------------------------------


def _unpack_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("container", metavar="IN.corpus")
    parser.add_argument("-o", "--output", required=True, metavar="DIR")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    parser.add_argument("--lenient", action="store_true", help=_LENIENT_HINT)


def unpack(args: argparse.Namespace) -> int:
    """Write every article of a container to its own file below the output folder.

    A first pass reads the whole container and checks every name and target before anything is
    written; a second pass writes the files, byte for byte.
    """
    source, root = args.container, args.output
    if not os.path.lexists(source):
        raise Refused("no such file", path=source)
    if os.path.lexists(root) and not os.path.isdir(root):
        raise Refused("the output exists and is not a folder", path=root)
    names = _plan(source, root, force=args.force, lenient=args.lenient)
    with warnings.catch_warnings():
        # The first pass has reported every problem already.
        warnings.simplefilter("ignore", InputWarning)
        count, size = _write_all(source, root, names, force=args.force, lenient=args.lenient)
    _say(f"unpacked {_articles(count)} ({size:,} bytes) into {root}")
    return 0


def _plan(source: str, root: str, *, force: bool, lenient: bool) -> list[str]:
    """Read the container through and check every name and target; return the names in order."""
    root_real = os.path.realpath(root)
    files: dict[str, int] = {}
    folders: dict[str, tuple[str, int]] = {}
    names: list[str] = []
    for entry in iter_entries(source, lenient=lenient):
        name, line = entry.document.name, entry.line
        refuse = _refuser(source, line)
        problem = path_problem(name)
        if problem is not None:
            raise refuse(f"unsafe name {name!r}: {problem}")
        if name in folders:
            other, other_line = folders[name]
            raise refuse(
                f"name {name!r} is a file here, but {other!r} (line {other_line}) needs it "
                "as a folder"
            )
        parts = name.split("/")
        for depth in range(1, len(parts)):
            folder = "/".join(parts[:depth])
            if folder in files:
                raise refuse(
                    f"name {name!r} needs {folder!r} as a folder, but it is an article "
                    f"(line {files[folder]})"
                )
            if folder not in folders:
                folders[folder] = (name, line)
                problem = _folder_problem(os.path.join(root, folder), root_real)
                if problem is not None:
                    raise refuse(f"cannot unpack {name!r}: {problem}")
        target = os.path.join(root, name)
        if os.path.lexists(target):
            if os.path.isdir(target) and not os.path.islink(target):
                raise refuse(f"cannot unpack {name!r}: {target} is a folder")
            if not force:
                raise refuse(f"{target} already exists", "--force overwrites existing files")
        files[name] = line
        names.append(name)
    return names


def _refuser(source: str, line: int) -> Callable[..., Refused]:
    def refuse(message: str, hint: str | None = None) -> Refused:
        return Refused(message, hint=hint, path=source, line=line)

    return refuse


def _folder_problem(path: str, root_real: str) -> str | None:
    if not os.path.lexists(path):
        return None
    if not _inside(os.path.realpath(path), root_real):
        return f"{path} leads outside the output folder (a symbolic link)"
    if not os.path.isdir(path):
        return f"{path} exists and is not a folder"
    return None


def _write_all(
    source: str, root: str, names: list[str], *, force: bool, lenient: bool
) -> tuple[int, int]:
    os.makedirs(root, exist_ok=True)
    root_real = os.path.realpath(root)
    written: set[tuple[int, int]] = set()
    count = size = 0
    entries: Iterator[ContainerEntry] = iter_entries(source, lenient=lenient)
    for entry, expected in zip_longest(entries, names):
        if entry is None or entry.document.name != expected:
            raise Refused("the container changed while it was being unpacked", path=source)
        data = entry.document.text.encode("utf-8")
        _write_file(root_real, entry, data, force=force, written=written, source=source)
        count += 1
        size += len(data)
    return count, size


def _write_file(
    root_real: str,
    entry: ContainerEntry,
    data: bytes,
    *,
    force: bool,
    written: set[tuple[int, int]],
    source: str,
) -> None:
    """Write one article below ``root_real`` without ever leaving it, even through a link."""
    name = entry.document.name
    at = _refuser(source, entry.line)

    def refuse(message: str) -> Refused:
        return at(f"cannot unpack {name!r}: {message}")

    *folders, file_name = name.split("/")
    folder = root_real
    for part in folders:
        step = os.path.join(folder, part)
        if os.path.islink(step) or os.path.isdir(step):
            real = os.path.realpath(step)
            if not _inside(real, root_real):
                raise refuse(f"{step} leads outside the output folder (a symbolic link)")
            if not os.path.isdir(real):
                raise refuse(f"{step} is not a folder")
            folder = real
        elif os.path.lexists(step):
            raise refuse(f"{step} exists and is not a folder")
        else:
            os.mkdir(step)
            folder = step
    target = os.path.join(folder, file_name)
    if force and os.path.lexists(target):
        status = os.lstat(target)
        if (status.st_dev, status.st_ino) in written:
            raise refuse(f"{target} was written by an earlier article (names differing in case?)")
        if stat.S_ISDIR(status.st_mode):
            raise refuse(f"{target} is a folder")
        os.unlink(target)  # a link is removed, never written through
    flags = (
        os.O_WRONLY
        | os.O_CREAT
        | os.O_EXCL  # with O_CREAT, never follows a final symbolic link
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_BINARY", 0)
    )
    try:
        descriptor = os.open(target, flags, 0o666)
    except FileExistsError:
        raise refuse(
            f"{target} appeared while unpacking (names differing only in case, on a "
            "case-insensitive file system?)"
        ) from None
    with os.fdopen(descriptor, "wb") as fp:
        fp.write(data)
        status = os.fstat(fp.fileno())
    written.add((status.st_dev, status.st_ino))


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([path, root]) == root
    except ValueError:  # different drives on Windows
        return False


# --- build ---------------------------------------------------------------------------------------


def _build_arguments(parser: argparse.ArgumentParser) -> None:
    _input_arguments(parser)
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="STORE.db",
        help="the store: one SQLite file, or with --engine dask a folder NAME.parquet, a "
        "Parquet dataset whose articles the workers write",
    )
    _work_arguments(parser)
    _engine_arguments(parser)


def _engine_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--engine",
        choices=("local", "dask"),
        default="local",
        help="local: processes on this machine; dask: the workers of a Dask cluster read and "
        'prepare the inputs and run the LSH (pip install "newscorpus[dask]"); the store is '
        "the same",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="with --engine dask: the scheduler of a running cluster (tcp://host:8786); "
        "without it, a cluster of --workers processes is started on this machine",
    )


def _input_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "inputs",
        nargs="+",
        metavar="INPUT",
        help="a .corpus container, a folder of .txt files, or JSON lines (.jsonl, gzipped or "
        "not); a path, or a URL fsspec reads (s3://..., file://...)",
    )
    parser.add_argument("--name-field", help="JSON lines: the field naming each article")
    parser.add_argument(
        "--text-field", default="text", help="JSON lines: the field holding the text"
    )
    parser.add_argument("--lenient", action="store_true", help=_LENIENT_HINT)


def _work_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help="processes that segment and sign the articles (default: all cores)",
    )
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {number}")
    return number


def build_command(args: argparse.Namespace) -> int:
    """Find the shared blocks and copies in the inputs and write a store."""
    from newscorpus.build import build, default_workers
    from newscorpus.report import summary

    inputs, meter, progress = _inputs(args)
    with _engine(args) as engine:
        corpus = build(
            progress.track(inputs.documents(meter)) if engine is None else inputs,
            args.output,
            workers=args.workers or default_workers(),
            progress=progress.update,
            engine=engine,
            meter=meter,
        )
    progress.done()
    if not args.quiet:
        print(summary(corpus, args.output))
    corpus.close()
    return 0


def _inputs(args: argparse.Namespace) -> tuple[Inputs, ReadMeter, Progress]:
    """The inputs named on the command line, a meter of the bytes read, and the progress
    display."""
    from newscorpus.report import Progress

    for path in args.inputs:
        if not is_url(path) and not os.path.exists(path):
            raise Refused(f"{path}: no such file or folder")
    inputs = Inputs(
        args.inputs,
        name_field=args.name_field,
        text_field=args.text_field,
        lenient=args.lenient,
    )
    meter = ReadMeter()
    return inputs, meter, Progress(enabled=not args.quiet and sys.stderr.isatty(), meter=meter)


@contextlib.contextmanager
def _engine(args: argparse.Namespace) -> Iterator[Any]:
    """The engine the command line asks for: None for the local one, or a `DaskEngine` on a
    cluster that is closed when done (a cluster started here is shut down)."""
    if args.engine == "local":
        if args.scheduler is not None:
            raise Refused("--scheduler is for the Dask engine", hint="add --engine dask")
        yield None
        return
    from newscorpus.build import default_workers
    from newscorpus.dask_engine import DaskEngine, dask_client

    with dask_client(args.workers or default_workers(), args.scheduler) as client:
        yield DaskEngine(client)


# --- add and remove ------------------------------------------------------------------------------


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    _store_argument(parser)
    _input_arguments(parser)
    _work_arguments(parser)
    _engine_arguments(parser)


def add_command(args: argparse.Namespace) -> int:
    """Add the articles of the inputs to a store."""
    from newscorpus.build import add, default_workers

    before = _count_articles(args.store)
    inputs, meter, progress = _inputs(args)
    with _engine(args) as engine:
        corpus = add(
            args.store,
            progress.track(inputs.documents(meter)),
            workers=args.workers or default_workers(),
            progress=progress.update,
            engine=engine,
        )
    progress.done()
    if not args.quiet:
        _say(_changed(args.store, "added", len(corpus) - before, corpus))
    corpus.close()
    return 0


def _remove_arguments(parser: argparse.ArgumentParser) -> None:
    _store_argument(parser)
    parser.add_argument("names", nargs="+", metavar="NAME", help="an article's name")
    _work_arguments(parser)


def remove_command(args: argparse.Namespace) -> int:
    """Remove articles from a store by name."""
    from newscorpus.build import default_workers, remove
    from newscorpus.report import Progress

    before = _count_articles(args.store)
    progress = Progress(enabled=not args.quiet and sys.stderr.isatty())
    corpus = remove(
        args.store,
        args.names,
        workers=args.workers or default_workers(),
        progress=progress.update,
    )
    progress.done()
    if not args.quiet:
        _say(_changed(args.store, "removed", before - len(corpus), corpus))
    corpus.close()
    return 0


def _count_articles(path: str) -> int:
    with _open_store(path) as corpus:
        return len(corpus)


def _changed(path: str, what: str, n: int, corpus: Corpus) -> str:
    s = corpus.stats
    return (
        f"{what} {_articles(n)}; {path} now holds {_articles(s['articles'])}, "
        f"{s['blocks']:,} blocks, {s['duplicates']:,} copies"
    )


# --- export --------------------------------------------------------------------------------------


def _export_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("store", metavar="STORE.db")
    parser.add_argument(
        "--format",
        choices=("jsonl", "text"),
        default="jsonl",
        help="jsonl: one object per article (see README); text: the clean text of each article "
        "that is not a copy, separated by form-feed lines",
    )
    parser.add_argument("-o", "--output", metavar="FILE", help="default: standard output")


def export_command(args: argparse.Namespace) -> int:
    """Write every article of a store as JSON lines, or the clean text for NLP."""
    from newscorpus.export import export
    from newscorpus.store import Corpus

    corpus = Corpus.open(args.store)
    try:
        if args.output is None:
            export(corpus, sys.stdout, args.format)
            sys.stdout.flush()
        else:
            tmp = f"{args.output}.part"
            try:
                with open(tmp, "w", encoding="utf-8", newline="\n") as out:
                    n = export(corpus, out, args.format)
                os.replace(tmp, args.output)
            except BaseException:
                if os.path.exists(tmp):
                    os.unlink(tmp)
                raise
            _say(f"exported {_articles(n)} to {args.output}")
    finally:
        corpus.close()
    return 0


# --- looking inside a store: stats, blocks, show, history, dupes, report -----------------------


def _store_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("store", metavar="STORE.db")


def _json_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON document instead")


def _colour_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="auto (the default): colours in a terminal unless NO_COLOR is set; plain "
        "markers otherwise",
    )


def _count(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {value!r}") from None
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {number}")
    return number


def _open_store(path: str) -> Corpus:
    from newscorpus.store import Corpus

    return Corpus.open(path)


def _print(text: str) -> None:
    sys.stdout.write(text)
    if not text.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()


def _stats_arguments(parser: argparse.ArgumentParser) -> None:
    _store_argument(parser)
    _json_argument(parser)


def stats_command(args: argparse.Namespace) -> int:
    """Print what a store holds: articles, blocks, copies, boilerplate share, by source and
    month."""
    from newscorpus.inspection import dumps, format_stats, stats

    with _open_store(args.store) as corpus:
        found = stats(corpus)
    if args.json:
        _print(dumps({"store": args.store, **found.to_dict()}))
    else:
        _print(format_stats(found, args.store))
    return 0


def _blocks_arguments(parser: argparse.ArgumentParser) -> None:
    _store_argument(parser)
    parser.add_argument(
        "--top",
        type=_count,
        default=20,
        metavar="N",
        help="list the N most widely carried blocks (default 20; 0 lists every block)",
    )
    _json_argument(parser)


def blocks_command(args: argparse.Namespace) -> int:
    """List the shared blocks by how many stories carry them."""
    from newscorpus.inspection import block_count, dumps, format_blocks, top_blocks

    with _open_store(args.store) as corpus:
        rows = top_blocks(corpus, args.top or None)
        total = block_count(corpus)
    if args.json:
        _print(dumps({"store": args.store, "total": total, "blocks": [b.to_dict() for b in rows]}))
    else:
        _print(format_blocks(rows, total))
    return 0


def _show_arguments(parser: argparse.ArgumentParser) -> None:
    _store_argument(parser)
    parser.add_argument("name", metavar="NAME", help="the article's name, or its start")
    _colour_argument(parser)


def show_command(args: argparse.Namespace) -> int:
    """Print one article with its shared blocks and metadata lines marked."""
    from newscorpus.inspection import example_names, find_article, format_article, use_colour

    with _open_store(args.store) as corpus:
        names = find_article(corpus, args.name)
        if not names:
            examples = ", ".join(example_names(corpus))
            raise Refused(
                f"no article named {args.name!r}",
                hint=f"names are the ones given to build, e.g. {examples}" if examples else None,
                path=args.store,
            )
        if len(names) > 1:
            raise Refused(
                f"{args.name!r} starts the names of several articles: {', '.join(names[:5])}"
                + (" ..." if len(names) > 5 else ""),
                hint="give more of the name",
                path=args.store,
            )
        article = corpus.article(names[0])
    _print(format_article(article, colour=use_colour(args.color, sys.stdout)))
    return 0


def _history_arguments(parser: argparse.ArgumentParser) -> None:
    _store_argument(parser)
    parser.add_argument("block", metavar="BLOCK", help="the block's id, or its start")
    _colour_argument(parser)


def history_command(args: argparse.Namespace) -> int:
    """Print the variants of one block in date order, each as a word diff from the one
    before."""
    from newscorpus.inspection import (
        example_names,
        find_block,
        format_history,
        history,
        use_colour,
    )

    with _open_store(args.store) as corpus:
        ids = find_block(corpus, args.block)
        if not ids:
            examples = ", ".join(example_names(corpus, "blocks"))
            raise Refused(
                f"no block {args.block!r}",
                hint=f"`newscorpus blocks {args.store}` lists them, e.g. {examples}"
                if examples
                else "this store has no shared blocks",
                path=args.store,
            )
        if len(ids) > 1:
            raise Refused(
                f"{args.block!r} starts the ids of several blocks: {', '.join(ids[:5])}"
                + (" ..." if len(ids) > 5 else ""),
                hint="give more of the id",
                path=args.store,
            )
        colour = use_colour(args.color, sys.stdout)
        text = format_history(corpus, ids[0], history(corpus, ids[0]), colour=colour)
    _print(text)
    return 0


def _dupes_arguments(parser: argparse.ArgumentParser) -> None:
    _store_argument(parser)
    _json_argument(parser)


def dupes_command(args: argparse.Namespace) -> int:
    """List the groups of copies: each original, then the articles that copy it."""
    from newscorpus.inspection import dumps, duplicate_groups, write_dupes

    with _open_store(args.store) as corpus:
        if args.json:
            groups = [g.to_dict() for g in duplicate_groups(corpus)]
            copies = sum(len(g["copies"]) for g in groups)
            _print(dumps({"store": args.store, "copies": copies, "groups": groups}))
        else:
            write_dupes(corpus, sys.stdout)
            sys.stdout.flush()
    return 0


def _report_arguments(parser: argparse.ArgumentParser) -> None:
    _store_argument(parser)
    parser.add_argument("-o", "--output", required=True, metavar="REPORT.html")
    parser.add_argument(
        "--top",
        type=_count,
        default=50,
        metavar="N",
        help="the N most widely carried blocks in the blocks table (default 50; 0: all)",
    )
    parser.add_argument(
        "--articles",
        type=_count,
        default=200,
        metavar="N",
        help="show the first N articles in full (default 200; 0: all)",
    )
    parser.add_argument("--all", action="store_true", help="show every article (--articles 0)")


def report_command(args: argparse.Namespace) -> int:
    """Write one self-contained HTML page: stats, top blocks, boilerplate over time, and the
    articles with their shared parts highlighted."""
    from newscorpus.html_report import write_report

    folder = os.path.dirname(os.path.abspath(args.output))
    if not os.path.isdir(folder):
        raise Refused(f"the output folder {folder} does not exist", path=args.output)
    if os.path.isdir(args.output):
        raise Refused("the output is a folder", path=args.output)
    articles = None if args.all or args.articles == 0 else args.articles
    with _open_store(args.store) as corpus:
        tmp = f"{args.output}.part"
        try:
            with open(tmp, "w", encoding="utf-8", newline="\n") as out:
                shown = write_report(
                    corpus,
                    out,
                    title=os.path.basename(args.store),
                    top=args.top or None,
                    articles=articles,
                )
            os.replace(tmp, args.output)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        total = len(corpus)
    of = "" if shown == total else f" of {total:,}"
    _say(f"wrote {args.output} ({shown:,}{of} articles, {os.path.getsize(args.output):,} bytes)")
    return 0


# --- main ----------------------------------------------------------------------------------------


# Add a subcommand here: a function adding its arguments, a function running it.
COMMANDS: tuple[Command, ...] = (
    Command(
        name="pack",
        help="bundle text files and folders into one .corpus container",
        arguments=_pack_arguments,
        run=pack,
    ),
    Command(
        name="unpack",
        help="write the articles of a container to files in a folder",
        arguments=_unpack_arguments,
        run=unpack,
    ),
    Command(
        name="build",
        help="find the shared blocks and copies in the inputs and write a store",
        arguments=_build_arguments,
        run=build_command,
    ),
    Command(
        name="add",
        help="add articles to a store: the result is the store a build on all of them makes",
        arguments=_add_arguments,
        run=add_command,
    ),
    Command(
        name="remove",
        help="remove articles from a store by name",
        arguments=_remove_arguments,
        run=remove_command,
    ),
    Command(
        name="export",
        help="write a store's articles as JSON lines, or their clean text",
        arguments=_export_arguments,
        run=export_command,
    ),
    Command(
        name="stats",
        help="what a store holds: articles, blocks, copies, boilerplate share by source and month",
        arguments=_stats_arguments,
        run=stats_command,
    ),
    Command(
        name="blocks",
        help="the shared blocks by how many stories carry them",
        arguments=_blocks_arguments,
        run=blocks_command,
    ),
    Command(
        name="show",
        help="one article with its shared blocks and metadata lines marked",
        arguments=_show_arguments,
        run=show_command,
    ),
    Command(
        name="history",
        help="the variants of one block in date order, as word diffs",
        arguments=_history_arguments,
        run=history_command,
    ),
    Command(
        name="dupes",
        help="the groups of articles that copy one story",
        arguments=_dupes_arguments,
        run=dupes_command,
    ),
    Command(
        name="report",
        help="write one self-contained HTML page to read a store",
        arguments=_report_arguments,
        run=report_command,
    ),
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Find the shared background blocks in scraped news.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        sub = subparsers.add_parser(command.name, help=command.help, description=command.help)
        command.arguments(sub)
        sub.set_defaults(run=command.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return the exit status (see the module docstring)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # argparse has printed the usage, help or version
        return stop.code if isinstance(stop.code, int) else 2
    if args.command is None:
        parser.print_usage(sys.stderr)
        _error("a command is required", f"one of: {', '.join(c.name for c in COMMANDS)}")
        return 2
    with warnings.catch_warnings():
        warnings.simplefilter("always", InputWarning)
        warnings.showwarning = _show_warning
        try:
            return args.run(args)
        except KeyboardInterrupt:
            _error("interrupted")
            return 130
        except BrokenPipeError:  # the reader went away (`newscorpus export ... | head`)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        except EngineError as error:
            _error(str(error))
            return 1
        except (NewsCorpusError, ValueError) as error:
            _error(str(error), _hint(error, args))
            return 2
        except OSError as error:
            _error(_describe_os_error(error))
            return 1
        except sqlite3.Error as error:  # the disk filled up, the store is locked ...
            _error(f"{getattr(args, 'output', None) or getattr(args, 'store', '')}: {error}")
            return 1


def _hint(error: Exception, args: argparse.Namespace) -> str | None:
    if isinstance(error, Refused):
        return error.hint
    if isinstance(error, InputError) and getattr(args, "lenient", True) is False:
        return _LENIENT_HINT
    return None


def _describe_os_error(error: OSError) -> str:
    if error.filename is None:
        return str(error)
    where = os.fsdecode(error.filename)
    if error.filename2 is not None:
        where = f"{where} -> {os.fsdecode(error.filename2)}"
    return f"{where}: {error.strerror or error}"


def _error(message: str, hint: str | None = None) -> None:
    _say(f"{PROG}: error: {_one_line(message)}")
    if hint:
        _say(f"hint: {_one_line(hint)}")


def _show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    _say(f"{PROG}: warning: {_one_line(str(message))}")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _one_line(text: str) -> str:
    """``text`` with its line breaks shown as escapes, so a message stays one line.

    >>> _one_line("a\\nb")
    'a\\\\nb'
    """
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _articles(count: int) -> str:
    return f"{count:,} article" + ("" if count == 1 else "s")


if __name__ == "__main__":
    raise SystemExit(main())
