"""newscorpus: find the background blocks that scraped news articles share, store every article
losslessly as its own text plus references to them, find copies of one story judged on their
own text, and export clean text.

>>> import newscorpus
>>> sorted(newscorpus.__all__)[:3]
['Article', 'Block', 'ContainerEntry']
"""

from importlib.metadata import PackageNotFoundError, version

from newscorpus.build import LocalEngine, build
from newscorpus.container import (
    ContainerEntry,
    dumps,
    iter_container,
    iter_entries,
    parse,
    write,
    write_container,
)
from newscorpus.dask_engine import DaskEngine
from newscorpus.document import Document
from newscorpus.errors import (
    ContainerError,
    ContainerWarning,
    EngineError,
    InputError,
    InputWarning,
    NewsCorpusError,
    StoreError,
)
from newscorpus.meta import Meta, extract
from newscorpus.readers import Inputs, ReadMeter, detect_format, iter_documents, iter_inputs
from newscorpus.segment import iter_paragraphs, paragraphs, sentences
from newscorpus.settings import Settings
from newscorpus.store import Article, Block, Corpus, Duplicate, Segment, Variant

try:
    __version__ = version("newscorpus")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "Article",
    "Block",
    "ContainerEntry",
    "ContainerError",
    "ContainerWarning",
    "Corpus",
    "DaskEngine",
    "Document",
    "Duplicate",
    "EngineError",
    "InputError",
    "InputWarning",
    "Inputs",
    "LocalEngine",
    "Meta",
    "NewsCorpusError",
    "ReadMeter",
    "Segment",
    "Settings",
    "StoreError",
    "Variant",
    "__version__",
    "build",
    "detect_format",
    "dumps",
    "extract",
    "iter_container",
    "iter_documents",
    "iter_entries",
    "iter_inputs",
    "iter_paragraphs",
    "paragraphs",
    "parse",
    "sentences",
    "write",
    "write_container",
]
