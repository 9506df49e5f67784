"""``newscorpus report``: one self-contained HTML page to read a store.

The page holds the stats, the most widely carried blocks, a chart of the boilerplate share by
month, each block's wordings in date order (as word diffs), and the articles, readable, with
their shared blocks highlighted and linked to their block and their metadata lines marked.

Scraped text is hostile: every piece of text from the store (article text, names, metadata,
block text) is escaped, and the page declares a Content-Security-Policy that allows no script
and no load from anywhere, so that even a mistake could not run code or reach the network. The
page needs no script: links are anchors, styles are inline.

The page is written as it is made, article by article; ``articles`` caps how many are shown in
full (the first ones, in input order), so that a large store makes a page a browser can open.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import IO

from newscorpus.inspection import (
    BlockRow,
    Share,
    Stats,
    article_names,
    block_carriers,
    blocks_in_first_articles,
    history,
    meta_fields,
    stats,
    top_blocks,
    word_diff,
)
from newscorpus.store import Article, Corpus

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"
_CARRIERS = 30  # article names listed under a block
_VARIANTS = 25  # wordings shown in a block's history
_EXCERPT = 140
_ROWS = 30  # rows of a table by source or by month

_STYLE = """
:root { --shared: #fff1b8; --shared-edge: #d4a900; --meta: #e8e0f5; --meta-ink: #5b3f8c;
        --ink: #1d1d1f; --muted: #66666e; --rule: #dcdce0; --del: #fbd3d0; --ins: #cdeccf; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 72rem; padding: 0 1.25rem 4rem; }
header { border-bottom: 1px solid var(--rule); padding: 1rem 0 .5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2.2rem 0 .6rem; border-bottom: 1px solid var(--rule); }
h3 { font-size: 1rem; margin: 0 0 .3rem; }
nav a { margin-right: 1rem; }
a { color: #0b57d0; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: .75rem; margin: .75rem 0; }
.card { border: 1px solid var(--rule); border-radius: 6px; padding: .4rem .8rem; min-width: 9rem; }
.card b { display: block; font-size: 1.3rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; }
th, td { text-align: left; padding: .2rem .7rem .2rem 0; border-bottom: 1px solid var(--rule);
         vertical-align: top; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code, .id { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
.bar { display: inline-block; height: .7em; background: var(--shared-edge); }
.bar.meta { background: var(--meta-ink); }
section.block, article.story { border: 1px solid var(--rule); border-radius: 6px;
       padding: .8rem 1rem; margin: 0 0 1rem; scroll-margin-top: 1rem; }
section.block:target, article.story:target { outline: 3px solid #0b57d0; }
.block blockquote { margin: .4rem 0; padding: .3rem .8rem; background: var(--shared);
       border-left: 3px solid var(--shared-edge); }
.block ol { padding-left: 1.3rem; }
.block li { margin-bottom: .5rem; }
del { background: var(--del); text-decoration: line-through; }
ins { background: var(--ins); text-decoration: none; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; margin-top: .6rem; }
.shared { background: var(--shared); }
.meta { background: var(--meta); color: var(--meta-ink); }
a.blk { font: 600 .72rem ui-monospace, "DejaVu Sans Mono", monospace; text-decoration: none;
        background: var(--shared-edge); color: #fff; border-radius: 3px; padding: 0 .3rem;
        margin-right: .2rem; vertical-align: .1em; }
.legend span { padding: 0 .4rem; margin-right: .6rem; }
dl.meta-list { display: grid; grid-template-columns: max-content 1fr; gap: 0 .8rem; margin: 0; }
dl.meta-list dt { color: var(--muted); }
dl.meta-list dd { margin: 0; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
"""


def _e(text: object) -> str:
    """Escape text for an element or a quoted attribute."""
    return html.escape(str(text), quote=True)


def _pct(value: float) -> str:
    return f"{value:.1%}"


def _block_anchor(block_id: str) -> str:
    return f"b-{block_id}"


def write_report(
    corpus: Corpus,
    out: IO[str],
    *,
    title: str,
    top: int | None = 50,
    articles: int | None = 200,
) -> int:
    """Write the page for ``corpus`` to ``out``: the ``top`` most widely carried blocks (all
    when None) and the first ``articles`` articles (all when None). Returns the number of
    articles shown."""
    found = stats(corpus)
    blocks = top_blocks(corpus, top)
    shown = {name: index for index, name in enumerate(article_names(corpus, articles))}
    # Every block that an article on the page links to gets a section, as do the top blocks.
    listed = {b.id for b in blocks}
    missing = blocks_in_first_articles(corpus, articles) - listed
    detailed = list(blocks) + [b for b in top_blocks(corpus) if b.id in missing]

    out.write(_head(title))
    out.write(_header(title, found, len(shown)))
    out.write(_stats_section(found))
    out.write(_chart_section(found.by_month))
    out.write(_blocks_section(blocks, found.blocks))
    out.write('<h2 id="block-details">Blocks, their wordings over time</h2>\n')
    if not detailed:
        out.write('<p class="muted">No shared blocks.</p>\n')
    for row in detailed:
        out.write(_block_section(corpus, row, shown))
    out.write('<h2 id="articles">Articles</h2>\n')
    out.write(
        '<p class="legend"><span class="shared">shared block</span>'
        '<span class="meta">metadata</span>own text plain; the badge before a shared block '
        "links to it.</p>\n"
    )
    if len(shown) < found.total.articles:
        out.write(
            f'<p class="muted">The first {len(shown):,} of {found.total.articles:,} articles '
            "(<code>newscorpus report --all</code> shows every one).</p>\n"
        )
    count = 0
    for article in corpus.articles():
        if count >= len(shown):
            break
        out.write(_article_section(article, count, shown))
        count += 1
    out.write("</main>\n</body>\n</html>\n")
    return count


def _head(title: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>newscorpus report: {_e(title)}</title>\n"
        f"<style>{_STYLE}</style>\n</head>\n<body>\n"
    )


def _header(title: str, s: Stats, shown: int) -> str:
    t = s.total
    cards = [
        ("articles", f"{t.articles:,}"),
        ("shared blocks", f"{s.blocks:,}"),
        ("copies", f"{t.copies:,} in {s.copy_groups:,} groups"),
        ("boilerplate", _pct(t.boilerplate_share)),
        ("shared blocks share", _pct(t.shared_share)),
        ("metadata share", _pct(t.meta_share)),
    ]
    return (
        f'<header>\n<h1>newscorpus report: <span class="id">{_e(title)}</span></h1>\n'
        '<div class="cards">'
        + "".join(f'<div class="card"><b>{_e(v)}</b>{_e(k)}</div>' for k, v in cards)
        + "</div>\n<nav>"
        '<a href="#stats">Stats</a><a href="#over-time">Boilerplate over time</a>'
        '<a href="#blocks">Top blocks</a><a href="#block-details">Block wordings</a>'
        f'<a href="#articles">Articles ({shown:,})</a></nav>\n</header>\n<main>\n'
    )


def _share_table(
    label: str, rows: Sequence[tuple[str | None, Share]], none: str, limit: int = _ROWS
) -> str:
    head = (
        f"<table><thead><tr><th>{_e(label)}</th><th class=n>articles</th>"
        "<th class=n>characters</th><th class=n>copies</th><th class=n>boilerplate</th>"
        "<th class=n>shared</th><th class=n>metadata</th><th></th></tr></thead><tbody>\n"
    )
    body = []
    for key, s in rows[:limit]:
        name = f'<span class="muted">{_e(none)}</span>' if key is None else _e(key)
        bars = (
            f'<span class="bar" style="width:{s.shared_share * 8:.2f}rem"></span>'
            f'<span class="bar meta" style="width:{s.meta_share * 8:.2f}rem"></span>'
        )
        body.append(
            f"<tr><td>{name}</td><td class=n>{s.articles:,}</td><td class=n>{s.chars:,}</td>"
            f"<td class=n>{s.copies:,}</td><td class=n>{_pct(s.boilerplate_share)}</td>"
            f"<td class=n>{_pct(s.shared_share)}</td><td class=n>{_pct(s.meta_share)}</td>"
            f"<td>{bars}</td></tr>\n"
        )
    more = ""
    if len(rows) > limit:
        more = (
            f'<p class="muted">... and {len(rows) - limit:,} more '
            "(<code>newscorpus stats --json</code> lists them all).</p>\n"
        )
    return head + "".join(body) + "</tbody></table>\n" + more


def _stats_section(s: Stats) -> str:
    parts = ['<h2 id="stats">Stats</h2>\n']
    parts.append(_share_table("", [(None, s.total)], "all articles"))
    parts.append(f'<p class="muted">{s.carriers:,} articles carry at least one shared block.</p>\n')
    for label, rows, none, limit in (
        ("source", s.by_source, "no source", _ROWS),  # the largest sources
        ("month", s.by_month, "no date", len(s.by_month)),  # every month
    ):
        parts.append(f"<h3>By {label}</h3>\n")
        if all(key is None for key, _ in rows):
            parts.append(f'<p class="muted">No article\'s metadata gives a {label}.</p>\n')
        else:
            parts.append(_share_table(label, rows, none, limit))
    return "".join(parts)


def _month_range(first: str, last: str, limit: int = 240) -> list[str] | None:
    """Every month from ``first`` to ``last`` (``yyyy-mm``), or None past ``limit`` of them.

    >>> _month_range("2020-11", "2021-02")
    ['2020-11', '2020-12', '2021-01', '2021-02']
    """
    try:
        year, month = int(first[:4]), int(first[5:7])
        end = int(last[:4]) * 12 + int(last[5:7]) - 1
    except ValueError:
        return None
    start = year * 12 + month - 1
    if end < start or end - start >= limit:
        return None
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(start, end + 1)]


def _chart_section(months: Sequence[tuple[str | None, Share]]) -> str:
    """Stacked bars by month, on a time axis (months without articles stay empty): the share
    of shared blocks, then of metadata (inline SVG, scaled to the largest share)."""
    dated = dict((m, s) for m, s in months if m is not None)
    parts = ['<h2 id="over-time">Boilerplate over time</h2>\n']
    if not dated:
        parts.append('<p class="muted">No article\'s metadata gives a date.</p>\n')
        return "".join(parts)
    axis = _month_range(min(dated), max(dated)) or sorted(dated)
    peak = max(s.boilerplate_share for s in dated.values())
    scale = next(v for v in (0.1, 0.2, 0.25, 0.5, 0.75, 1.0) if peak <= v)
    bar, gap, left, top, height, bottom = 28, 8, 44, 10, 200, 48
    if len(axis) > 40:
        bar, gap = 10, 3
    width = left + len(axis) * (bar + gap) + 10
    every = -(-30 // (bar + gap))  # month labels 30 pixels apart at least
    svg = [
        f'<svg role="img" aria-labelledby="chart-title" width="{width}" '
        f'height="{top + height + bottom}" viewBox="0 0 {width} {top + height + bottom}">',
        '<title id="chart-title">Share of the text that is shared blocks and metadata, by '
        "month</title>",
    ]
    for step in range(5):
        y = top + height - height * step / 4
        svg.append(
            f'<line x1="{left}" x2="{width}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dcdce0"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{scale * step / 4:.0%}</text>"
        )
    base = top + height
    for i, month in enumerate(axis):
        x = left + i * (bar + gap) + gap / 2
        s = dated.get(month)
        if s is not None:
            shared_h = height * s.shared_share / scale
            meta_h = height * s.meta_share / scale
            tip = (
                f"{month}: {s.articles:,} articles, {_pct(s.shared_share)} shared blocks, "
                f"{_pct(s.meta_share)} metadata"
            )
            svg.append(
                f"<g><title>{_e(tip)}</title>"
                f'<rect x="{x:.1f}" y="{base - shared_h:.1f}" width="{bar}" '
                f'height="{shared_h:.1f}" fill="#d4a900"/>'
                f'<rect x="{x:.1f}" y="{base - shared_h - meta_h:.1f}" width="{bar}" '
                f'height="{meta_h:.1f}" fill="#5b3f8c"/></g>'
            )
        if i % every == 0:
            svg.append(
                f'<text x="{x + bar / 2:.1f}" y="{base + 14}" text-anchor="end" '
                f'transform="rotate(-35 {x + bar / 2:.1f} {base + 14})">{_e(month)}</text>'
            )
    svg.append("</svg>")
    undated = next((s.articles for m, s in months if m is None), 0)
    note = ""
    if undated:
        verb = "article without a date is" if undated == 1 else "articles without a date are"
        note = f" {undated:,} {verb} left out."
    parts.append(
        '<p class="legend"><span class="shared">shared blocks</span>'
        f'<span class="meta">metadata</span>share of each month\'s text.{_e(note)}</p>\n'
    )
    parts.append("\n".join(svg) + "\n")
    return "".join(parts)


def _blocks_section(blocks: Sequence[BlockRow], total: int) -> str:
    parts = ['<h2 id="blocks">Top blocks</h2>\n']
    if not blocks:
        parts.append('<p class="muted">No shared blocks.</p>\n')
        return "".join(parts)
    more = "" if len(blocks) == total else f" ({len(blocks):,} of {total:,})"
    parts.append(f'<p class="muted">By the number of stories carrying them{more}.</p>\n')
    parts.append(
        "<table><thead><tr><th>block</th><th class=n>stories</th><th class=n>articles</th>"
        "<th class=n>variants</th><th>first</th><th>last</th><th>text</th></tr></thead><tbody>\n"
    )
    for b in blocks:
        text = " ".join(b.text.split())
        if len(text) > _EXCERPT:
            text = text[: _EXCERPT - 1] + "…"
        parts.append(
            f'<tr><td><a class="id" href="#{_e(_block_anchor(b.id))}">{_e(b.id)}</a></td>'
            f"<td class=n>{b.stories:,}</td><td class=n>{b.articles:,}</td>"
            f"<td class=n>{b.variants:,}</td><td>{_e(b.first_date or '–')}</td>"
            f"<td>{_e(b.last_date or '–')}</td><td>{_e(text)}</td></tr>\n"
        )
    parts.append("</tbody></table>\n")
    return "".join(parts)


def _diff_html(old: str, new: str) -> str:
    out = []
    for op, text in word_diff(old, new):
        if op == "=":
            out.append(_e(text))
        else:
            tag = "del" if op == "-" else "ins"
            out.append(f"<{tag}>{_e(text)}</{tag}>")
    return "".join(out)


def _block_section(corpus: Corpus, row: BlockRow, shown: dict[str, int]) -> str:
    variants = history(corpus, row.id, names=5)
    dates = f", {row.first_date} – {row.last_date}" if row.first_date else ""
    parts = [
        f'<section class="block" id="{_e(_block_anchor(row.id))}">\n'
        f'<h3>Block <span class="id">{_e(row.id)}</span></h3>\n'
        f'<p class="muted">{row.stories:,} stories, {row.articles:,} articles, '
        f"{row.variants:,} wordings{_e(dates)}</p>\n"
        f"<blockquote>{_e(row.text)}</blockquote>\n"
    ]
    if len(variants) > 1:
        parts.append(
            "<p>Wordings in date order (the earliest article carrying each), each as the "
            "changes from the one before:</p>\n<ol>\n"
        )
        before: str | None = None
        for v in variants[:_VARIANTS]:
            when = v.first_date or "no date"
            label = "canonical" if v.number == 0 else f"variant {v.number}"
            who = _names(v.names, shown)
            if v.articles > len(v.names):
                who += f" and {v.articles - len(v.names):,} more"
            body = _e(v.text) if before is None else _diff_html(before, v.text)
            parts.append(
                f"<li><b>{_e(when)}</b> · {_e(label)} · {v.articles:,} "
                f"article{'' if v.articles == 1 else 's'}: {who}<br>{body}</li>\n"
            )
            before = v.text
        parts.append("</ol>\n")
        if len(variants) > _VARIANTS:
            parts.append(
                f'<p class="muted">... and {len(variants) - _VARIANTS:,} more wordings '
                f"(<code>newscorpus history STORE {_e(row.id)}</code> lists them all).</p>\n"
            )
    carriers = block_carriers(corpus, row.id, _CARRIERS)
    more = f" and {row.articles - len(carriers):,} more" if row.articles > len(carriers) else ""
    parts.append(f"<p>Carried by: {_names(carriers, shown)}{more}</p>\n</section>\n")
    return "".join(parts)


def _names(names: Iterable[str], shown: dict[str, int]) -> str:
    """Article names, linked to their section where the page shows them."""
    return ", ".join(f'<a href="#a-{shown[n]}">{_e(n)}</a>' if n in shown else _e(n) for n in names)


def _article_section(article: Article, index: int, shown: dict[str, int]) -> str:
    meta = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in meta_fields(article) if v)
    if article.duplicate_of:
        meta += f"<dt>copy of</dt><dd>{_names([article.duplicate_of], shown)}</dd>"
    text = []
    for s in article.segments:
        piece = _e(article.text[s.start : s.end])
        if s.kind == "shared" and s.block:
            anchor = _e(_block_anchor(s.block))
            text.append(
                f'<a class="blk" href="#{anchor}" title="shared block {_e(s.block)}">'
                f"{_e(s.block[:9])}</a>"
                f'<span class="shared" data-block="{_e(s.block)}">{piece}</span>'
            )
        elif s.kind == "meta":
            text.append(f'<span class="meta" title="metadata">{piece}</span>')
        else:
            text.append(piece)
    return (
        f'<article class="story" id="a-{index}">\n<h3>{_e(article.name)}</h3>\n'
        + (f'<dl class="meta-list">{meta}</dl>\n' if meta else "")
        + f'<div class="text">{"".join(text)}</div>\n</article>\n'
    )
