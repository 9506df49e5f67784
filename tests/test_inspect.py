"""Looking inside a store: ``stats``, ``blocks``, ``show``, ``history``, ``dupes`` and ``report``
in a subprocess, on the seeds (and the seeds with a copy and a hostile article added); the word
diff as a property."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from subprocess_cli import run

from newscorpus.inspection import format_diff, word_diff

ROOT = Path(__file__).parents[1]
SEEDS = ROOT / "seeds"
HOSTILE_NAME = "<svg onload=alert(3)>.txt"
HOSTILE = "\n".join(
    [
        "<script>alert(1)</script> Ceasefire talks resume in the region",
        "date 2021-03-02",
        'Officials said on Monday that "><img src=x onerror=alert(2)> talks would resume next '
        "week in Geneva, with both delegations present. Escape \x1b[2J here.",
        "",
        "The mediators asked both sides to keep to the agreement and to exchange prisoners first.",
        "",
        "The conflict between the two South Caucasus countries began in 1988 when Armenia made "
        "territorial claims against Azerbaijan. As a result of the ensuing war, the Armenian "
        "Armed Forces occupied 20 percent of Azerbaijan, including the Nagorno-Karabakh region "
        "and seven surrounding districts. The 1994 ceasefire agreement was followed by peace "
        "negotiations.",
        "",
    ]
)


def assert_one_error(result: subprocess.CompletedProcess[str], code: int = 2) -> str:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert result.stdout == ""
    first = result.stderr.splitlines()[0]
    assert first.startswith("newscorpus: error: ")
    return first


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory) -> Path:
    cwd = tmp_path_factory.mktemp("seeds")
    result = run("build", str(SEEDS), "-o", "s.db", "--quiet", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd / "s.db"


@pytest.fixture(scope="module")
def mixed_db(tmp_path_factory) -> Path:
    """The seeds, a copy of 001 and a hostile article carrying one of the seeds' blocks."""
    cwd = tmp_path_factory.mktemp("mixed")
    folder = cwd / "in"
    shutil.copytree(SEEDS, folder, ignore=shutil.ignore_patterns("*.md", "*.corpus"))
    shutil.copy(SEEDS / "001_822e2b77ddaa0880.txt", folder / "005_copy.txt")
    (folder / HOSTILE_NAME).write_text(HOSTILE, encoding="utf-8")
    result = run("build", "in", "-o", "m.db", "--quiet", cwd=cwd)
    assert result.returncode == 0, result.stderr
    return cwd / "m.db"


def ok(*args: str, cwd: Path) -> str:
    result = run(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


# --- stats ---------------------------------------------------------------------------------------


def test_stats_text(seeds_db):
    out = ok("stats", "s.db", cwd=seeds_db.parent)
    lines = out.splitlines()
    assert lines[0] == "s.db: 5 articles, 13,062 characters"
    assert "shared blocks  5, carried by 4 articles" in out
    assert "copies         0 articles copy another (0 groups)" in out
    assert re.search(r"boilerplate +\d+\.\d% of the text: 42\.8% shared blocks", out)
    assert re.search(r"^  Trend +2 ", out, re.M)
    assert re.search(r"^  2020-11 +3 ", out, re.M)
    assert re.search(r"^  \(no date\) +1 ", out, re.M)


def test_stats_json_adds_up(mixed_db):
    s = json.loads(ok("stats", "m.db", "--json", cwd=mixed_db.parent))
    assert (s["articles"], s["copies"], s["copy_groups"], s["blocks"]) == (7, 1, 1, 5)
    assert s["articles_with_blocks"] == 6
    for key in ("by_source", "by_month"):
        assert sum(g["articles"] for g in s[key]) == s["articles"]
        assert sum(g["chars"] for g in s[key]) == s["chars"]
        assert sum(g["shared"] for g in s[key]) == s["shared"]
    months = {g["month"]: g["articles"] for g in s["by_month"]}
    assert months == {"2020-11": 4, "2021-03": 1, "2021-07": 1, None: 1}
    assert [g["month"] for g in s["by_month"]][-1] is None
    assert s["boilerplate_share"] == pytest.approx(s["shared_share"] + s["meta_share"], abs=2e-4)


def test_stats_of_an_empty_store(tmp_path):
    (tmp_path / "empty").mkdir()
    assert run("build", "empty", "-o", "e.db", "--quiet", cwd=tmp_path).returncode == 0
    out = ok("stats", "e.db", cwd=tmp_path)
    assert "0 articles" in out and "by month: no article's metadata gives one" in out
    assert ok("blocks", "e.db", cwd=tmp_path) == "no shared blocks\n"
    assert json.loads(ok("stats", "e.db", "--json", cwd=tmp_path))["boilerplate_share"] == 0


# --- blocks --------------------------------------------------------------------------------------


def test_blocks_text_and_top(seeds_db):
    lines = ok("blocks", "s.db", cwd=seeds_db.parent).splitlines()
    assert lines[0] == "5 shared blocks by stories carrying them:"
    rows = [line for line in lines[2:] if line.strip()]
    assert len(rows) == 5
    assert all(
        re.match(r"  b[0-9a-f]{16} +4 +4 +[23] +2020-11-11  2021-07-15  \"", r) for r in rows
    )
    top = ok("blocks", "s.db", "--top", "2", cwd=seeds_db.parent).splitlines()
    assert top[0] == "5 shared blocks by stories carrying them (top 2 of 5):"
    assert len(top) == 4


def test_blocks_json_counts_stories_not_copies(mixed_db):
    b = json.loads(ok("blocks", "m.db", "--json", "--top", "0", cwd=mixed_db.parent))
    assert b["total"] == 5 and len(b["blocks"]) == 5
    first = b["blocks"][0]
    assert list(first) == [
        "id",
        "stories",
        "articles",
        "variants",
        "first_date",
        "last_date",
        "text",
    ]
    # The block the hostile article carries: five stories; the others four, in five articles
    # (001 and its copy are one story).
    assert first["text"].startswith("The conflict between the two South Caucasus countries")
    assert (first["stories"], first["articles"]) == (5, 6)
    assert {(x["stories"], x["articles"]) for x in b["blocks"][1:]} == {(4, 5)}


# --- show ----------------------------------------------------------------------------------------

_MARK = re.compile(r"\[shared b[0-9a-f]+\]|\[/shared\]|\[meta\]|\[/meta\]")


def test_show_marks_shared_and_meta_in_plain_text(seeds_db):
    out = ok("show", "s.db", "004", cwd=seeds_db.parent)
    assert "\x1b" not in out
    head, _, body = out.partition("\n\n")
    assert head.splitlines()[0] == "article 004_7b5bf0ff46632ae1.txt"
    assert "  date     2021-07-15" in head
    assert "  tags     France, US, Azerbaijan, Armenia" in head
    assert body.count("[shared b") == body.count("[/shared]") == 5
    assert "[meta]More about: #France" in body
    original = (SEEDS / "004_7b5bf0ff46632ae1.txt").read_text(encoding="utf-8")
    assert _MARK.sub("", body) == original + ("" if original.endswith("\n") else "\n")


def test_show_colours_only_when_asked_or_in_a_terminal(seeds_db):
    always = ok("show", "s.db", "003", "--color", "always", cwd=seeds_db.parent)
    assert "\x1b[36m" in always and "[shared " not in always
    tty = _run_in_terminal(["show", "s.db", "003"], cwd=seeds_db.parent, env={})
    assert "\x1b[36m" in tty
    plain = _run_in_terminal(["show", "s.db", "003"], cwd=seeds_db.parent, env={"NO_COLOR": "1"})
    assert "\x1b" not in plain and "[shared b" in plain


def _run_in_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> str:
    """Run the command with its output on a pseudo-terminal; what it wrote there."""
    main, secondary = pty.openpty()
    environment = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    process = subprocess.Popen(
        [sys.executable, "-m", "newscorpus", *args],
        cwd=cwd,
        stdout=secondary,
        stderr=subprocess.PIPE,
        env={**environment, **env},
    )
    os.close(secondary)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the other end closed (EIO on Linux)
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    assert process.wait(timeout=60) == 0
    return b"".join(chunks).decode("utf-8")


def test_show_escapes_control_characters_and_keeps_hostile_text(mixed_db):
    out = ok("show", "m.db", "<svg", cwd=mixed_db.parent)
    assert f"article {HOSTILE_NAME}" in out
    assert '"><img src=x onerror=alert(2)>' in out and "<script>alert(1)</script>" in out
    assert "\x1b" not in out and "Escape \\x1b[2J here." in out


def test_show_a_copy_names_its_original(mixed_db):
    out = ok("show", "m.db", "005_copy.txt", cwd=mixed_db.parent)
    assert "  copy of  001_822e2b77ddaa0880.txt" in out


# --- history -------------------------------------------------------------------------------------


def _block_starting(db: Path, words: str) -> str:
    blocks = json.loads(ok("blocks", db.name, "--json", cwd=db.parent))["blocks"]
    return next(b["id"] for b in blocks if b["text"].startswith(words))


def test_history_shows_the_rewrites_in_date_order(seeds_db):
    block = _block_starting(seeds_db, "A complete ceasefire")
    out = ok("history", "s.db", block, cwd=seeds_db.parent)
    lines = out.splitlines()
    assert lines[0] == f"block {block}: 4 articles, 3 variants, 2020-11-11..2021-07-15"
    heads = [line for line in lines if re.match(r"(canonical|variant \d)  ", line)]
    assert [h.split("  ")[1] for h in heads] == ["2020-11-11", "2021-07-15", "no date"]
    assert heads[0].startswith("canonical  2020-11-11  2 articles: 001_822e2b77ddaa0880.txt")
    later = lines[lines.index(heads[1]) + 1]
    # "is introduced" becomes "were introduced"; the time goes; the date is rewritten.
    assert "conflict [-is-]{+were+} introduced [-at 00:00 hours (Moscow time)-] on" in later
    assert "on {+Nov.+} 10[- November-]{+,+} 2020." in later


def test_history_shows_a_clause_that_appears(seeds_db):
    block = _block_starting(seeds_db, "Following over a month")
    out = ok("history", "s.db", block[:6], cwd=seeds_db.parent)  # a unique start of the id
    assert "occupation {+from late Sept. to early Nov. 2020+}, Azerbaijan" in out
    dates = re.findall(r"^(?:canonical|variant \d)  (\S+)", out, re.M)
    assert dates == sorted(dates) == ["2020-11-11", "2020-11-11", "2021-07-15"]


def test_history_in_colour(seeds_db):
    block = _block_starting(seeds_db, "A complete ceasefire")
    out = ok("history", "s.db", block, "--color", "always", cwd=seeds_db.parent)
    assert "\x1b[31;9mis\x1b[0m\x1b[32mwere\x1b[0m introduced" in out
    assert "[-" not in out


# --- dupes ---------------------------------------------------------------------------------------


def test_dupes_text_and_json(mixed_db, seeds_db):
    out = ok("dupes", "m.db", cwd=mixed_db.parent)
    assert out.splitlines() == [
        "1 article copies another, in 1 group (original first, then its copies):",
        "  001_822e2b77ddaa0880.txt  2020-11-11",
        "    = 005_copy.txt  2020-11-11",
    ]
    d = json.loads(ok("dupes", "m.db", "--json", cwd=mixed_db.parent))
    assert d["copies"] == 1
    assert d["groups"] == [
        {
            "original": {"name": "001_822e2b77ddaa0880.txt", "date": "2020-11-11"},
            "copies": [{"name": "005_copy.txt", "date": "2020-11-11"}],
        }
    ]
    assert ok("dupes", "s.db", cwd=seeds_db.parent).startswith("no copies")
    assert json.loads(ok("dupes", "s.db", "--json", cwd=seeds_db.parent))["groups"] == []


# --- report (the browser test is test_report_browser.py) ----------------------------------------


def test_report_escapes_every_text_and_links_every_block(mixed_db, tmp_path):
    result = run("report", str(mixed_db), "-o", "r.html", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("wrote r.html (7 articles, ")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page and "<svg onload" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    assert "script-src" not in page and "default-src 'none'" in page  # no script at all
    targets = set(re.findall(r'id="(b-[^"]+)"', page))
    links = set(re.findall(r'href="#(b-[^"]+)"', page))
    assert len(targets) == 5 and links == targets
    assert not (tmp_path / "r.html.part").exists()


def test_report_caps_the_articles_shown(mixed_db, tmp_path):
    result = run("report", str(mixed_db), "-o", "r.html", "--articles", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith("wrote r.html (2 of 7 articles, ")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert page.count('<article class="story"') == 2
    assert "newscorpus report --all" in page
    result = run("report", str(mixed_db), "-o", "r.html", "--articles", "2", "--all", cwd=tmp_path)
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count('<article class="story"') == 7


# --- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["stats", "blocks", "dupes", "show", "history", "report"])
def test_a_missing_store_or_a_file_that_is_not_one(command, tmp_path):
    extra = {"show": ["x"], "history": ["b"], "report": ["-o", "r.html"]}.get(command, [])
    first = assert_one_error(run(command, "nowhere.db", *extra, cwd=tmp_path))
    assert first == "newscorpus: error: nowhere.db: no such store"
    (tmp_path / "notes.db").write_text("hello\n" * 50)
    first = assert_one_error(run(command, "notes.db", *extra, cwd=tmp_path))
    assert "notes.db: not a newscorpus store" in first
    assert not (tmp_path / "r.html").exists()


def test_an_unknown_article_or_block(seeds_db):
    cwd = seeds_db.parent
    result = run("show", "s.db", "nope.txt", cwd=cwd)
    assert assert_one_error(result) == "newscorpus: error: s.db: no article named 'nope.txt'"
    assert result.stderr.splitlines()[1].startswith("hint: names are the ones given to build")
    result = run("show", "s.db", "00", cwd=cwd)
    assert "'00' starts the names of several articles: 000_" in assert_one_error(result)
    assert result.stderr.splitlines()[1] == "hint: give more of the name"
    result = run("history", "s.db", "bnothing", cwd=cwd)
    assert assert_one_error(result) == "newscorpus: error: s.db: no block 'bnothing'"
    assert result.stderr.splitlines()[1].startswith("hint: `newscorpus blocks s.db` lists them")
    assert "several blocks" in assert_one_error(run("history", "s.db", "b", cwd=cwd))


def test_bad_arguments(seeds_db, tmp_path):
    assert run("blocks", str(seeds_db), "--top", "-1", cwd=tmp_path).returncode == 2
    first = assert_one_error(run("report", str(seeds_db), "-o", "no/dir/r.html", cwd=tmp_path))
    assert "does not exist" in first


# --- the word diff -------------------------------------------------------------------------------

_words = st.lists(st.sampled_from(["is", "were", "10", "Nov.", ",", "the", "(x)", "a-b", "é"]))
_spaces = st.sampled_from([" ", "  ", "\n", ""])


@st.composite
def _texts(draw) -> str:
    words = draw(_words)
    return "".join(draw(_spaces) + w for w in words) + draw(_spaces)


@given(_texts(), _texts())
def test_word_diff_rebuilds_the_new_text_and_the_old_words(old, new):
    ops = word_diff(old, new)
    assert "".join(t for op, t in ops if op != "-") == new
    gone = "".join(t for op, t in ops if op != "+")
    assert re.sub(r"\s", "", gone) == re.sub(r"\s", "", old)  # whitespace is the new text's
    plain = format_diff(ops)
    assert "\x1b" not in plain
    assert "\x1b" in format_diff(ops, colour=True) or all(op == "=" for op, _ in ops)
