"""Hypothesis strategies for newscorpus tests: article names, texts with tricky lines, whole
lists of articles, and container bytes (valid, broken and random) for fuzzing readers.
"""

from __future__ import annotations

from hypothesis import strategies as st

from newscorpus.container import dumps

# Every character a container name may hold: no control characters (Cc), no U+2028/U+2029,
# no surrogates (not encodable).
NAME_CHARACTERS = st.characters(
    blacklist_categories=("Cc", "Cs"), blacklist_characters="\u2028\u2029"
)
# Every character a text may hold: anything but NUL and surrogates.
TEXT_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
# The same within one line ("\n" is the only line break; a .filter() would be much slower).
LINE_CHARACTERS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\n")
LINE_BREAKS = ("\n", "\r\n", "\r", "\n\n")

TRICKY_NAMES = (
    "a",
    " ",
    " leading and trailing ",
    ">",
    "a>",
    ">>>",
    "a>>>b",
    "ends with >>>",
    "<<<FILE x",
    "<<<FILE x>>>",
    "\ufeff",
    "non\u00a0breaking",
    "politics/2021/paris.txt",
    "back\\slash",
    "caf\u00e9 \u65b0\u805e",
)

TRICKY_LINES = (
    "",
    "<<<FILE x>>>",
    "<<<FILE x>>>\r",
    "<<<FILE",
    "<<<FILEx",
    "<<<FILE >>>",
    "<<<FILE a\tb>>>",
    "><<<FILE",
    ">><<<FILE y>>>",
    ">>><<<FILE a>>>",
    ">",
    ">> quoted reply",
    " <<<FILE indented>>>",
    "\r",
    "a\r<<<FILE after a lone CR>>>",
    "\ufeff",
    "\ufeff<<<FILE bom>>>",
    "x\u2028<<<FILE after U+2028>>>",
    "\x85<<<FILE after NEL>>>",
    "\u00a0",
    "A plain line of news text.",
)


def article_names() -> st.SearchStrategy[str]:
    """Valid, sometimes awkward, article names."""
    return st.one_of(
        st.sampled_from(TRICKY_NAMES), st.text(NAME_CHARACTERS, min_size=1, max_size=20)
    )


def lines() -> st.SearchStrategy[str]:
    """One line of text (no "\\n"), often one a container reader could mistake for syntax."""
    return st.one_of(
        st.sampled_from(TRICKY_LINES),
        st.text(LINE_CHARACTERS, max_size=12),
    )


@st.composite
def texts(draw: st.DrawFn) -> str:
    """Texts made of tricky lines joined by "\\n", "\\r\\n" or a lone "\\r", with or without a
    final line break (or several), or any text at all."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.text(TEXT_CHARACTERS, max_size=40))
    parts = draw(st.lists(st.tuples(lines(), st.sampled_from(LINE_BREAKS)), max_size=6))
    text = "".join(line + line_break for line, line_break in parts)
    if parts and draw(st.booleans()):
        text = text.rstrip("\r\n")
    return text


def articles(max_size: int = 6) -> st.SearchStrategy[list[tuple[str, str]]]:
    """Lists of (name, text) pairs with unique names."""
    return st.lists(
        st.tuples(article_names(), texts()), unique_by=lambda pair: pair[0], max_size=max_size
    )


FRAGMENTS = (
    b"<<<FILE a>>>\n",
    b"<<<FILE b>>>\r\n",
    b"<<<FILE a>>>",
    b"<<<FILE >>>\n",
    b"<<<FILE x\ty>>>\n",
    b"<<<FILE",
    b"><<<FILE",
    b">",
    b"\n",
    b"\r",
    b"\r\n",
    b"\0",
    b"\xff",
    b"\xc3",
    b"\xc3\xa9",
    b"\xed\xa0\x80",
    b"\xef\xbb\xbf",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b"text",
    b" ",
)


@st.composite
def container_bytes(draw: st.DrawFn) -> bytes:
    """Bytes for fuzzing a container reader: random bytes, runs of syntax fragments, and
    writer output with fragments spliced in."""
    kind = draw(st.integers(0, 2))
    if kind == 0:
        return draw(st.binary(max_size=200))
    fragments = st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=4))
    if kind == 1:
        return b"".join(draw(st.lists(fragments, max_size=30)))
    data = dumps(draw(articles(max_size=4))).encode("utf-8")
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(fragments) + data[at:]
    return data


# -- corpora with planted near-duplicate paragraphs, for the engine ------------------------------

_WORDS = tuple(f"w{i}" for i in range(400)) + ("the", "of", "état", "Nov.", "10,", "2020.")


@st.composite
def sentences(draw: st.DrawFn) -> str:
    words = draw(st.lists(st.sampled_from(_WORDS), min_size=3, max_size=18))
    return " ".join(words).capitalize() + draw(st.sampled_from([".", ".", "?", "", "!"]))


@st.composite
def reworded(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few words dropped, inserted or replaced."""
    tokens = text.split(" ")
    for _ in range(draw(st.integers(0, 3))):
        i = draw(st.integers(0, len(tokens) - 1))
        op = draw(st.sampled_from(["drop", "insert", "replace"]))
        if op == "drop" and len(tokens) > 3:
            del tokens[i]
        elif op == "insert":
            tokens.insert(i, draw(st.sampled_from(_WORDS)))
        else:
            tokens[i] = draw(st.sampled_from(_WORDS))
    return " ".join(tokens)


@st.composite
def corpora(draw: st.DrawFn, max_articles: int = 8) -> list[tuple[str, str]]:
    """(name, text) articles built from a small pool of paragraphs, so that some paragraphs
    recur (reworded) across articles; joined by any line breaks, sometimes glued on one line,
    with tricky lines (header-like, CR, NBSP, empty) mixed in."""
    pool = draw(
        st.lists(
            st.lists(sentences(), min_size=1, max_size=3).map(" ".join), min_size=2, max_size=6
        )
    )
    n = draw(st.integers(1, max_articles))
    articles = []
    for i in range(n):
        parts = []
        for _ in range(draw(st.integers(0, 6))):
            kind = draw(st.sampled_from(["pool", "pool", "fresh", "tricky"]))
            if kind == "pool":
                parts.append(draw(reworded(draw(st.sampled_from(pool)))))
            elif kind == "fresh":
                parts.append(draw(sentences()))
            else:
                parts.append(draw(st.sampled_from(TRICKY_LINES)))
        separators = draw(
            st.lists(
                st.sampled_from(LINE_BREAKS + (" ", "\u00a0\n")),
                min_size=len(parts),
                max_size=len(parts),
            )
        )
        text = "".join(p + s for p, s in zip(parts, separators))
        if draw(st.booleans()):
            text = text.rstrip("\n")
        articles.append((f"a{i:02d}.txt", text))
    return articles
