"""A living store: `add` and `remove` give the store a build on the same articles gives."""

from __future__ import annotations

import errno
import io
import json
import os
import random
import sqlite3

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import corpora
from subprocess_cli import run

from newscorpus import Document, Settings, StoreError, blocks, build, iter_documents, store
from newscorpus.build import _writing, add, remove
from newscorpus.export import export_jsonl
from newscorpus.inspection import history
from newscorpus.store import Corpus

BACKGROUND = (
    "The Kessler Institute, founded in 1962 in Dunmore, studies tidal energy and publishes an "
    "annual survey of coastal power plants across northern Europe and Canada."
)
STORIES = [
    "Harbour workers in Velmont walked out on Tuesday over a pay offer they called an insult "
    "to the crews who kept the port open through the winter storms.",
    "A rare grey heron nested on the roof of the Lindqvist library this spring, and volunteers "
    "have set up a camera so that schoolchildren can follow the chicks.",
    "The regional court ruled that the bridge tolls collected since March must be repaid to "
    "drivers, a decision that could cost the operator several million.",
    "Farmers near Orsk say the late frost destroyed half of the apricot harvest, the worst "
    "loss in two decades, and have asked the ministry for emergency loans.",
]


def snapshot(corpus: Corpus) -> tuple:
    """Everything a user reads from a store: the export, the blocks with their variants and
    articles, and the copies."""
    out = io.StringIO()
    export_jsonl(corpus, out)
    blocks = [
        (b, corpus.block_articles(b.id), [(v.text, v.articles) for v in corpus.variants(b.id)])
        for b in corpus.blocks()
    ]
    return out.getvalue(), blocks, corpus.duplicates()


DETAILS = [
    "The union has called a second meeting for Friday.",
    "Three eggs hatched in the first week of May.",
    "The operator said it would appeal.",
    "Prices at the market have already doubled.",
]


def story(i: int, background: str | None = BACKGROUND) -> str:
    parts = [STORIES[i], DETAILS[i]]
    if background:
        parts.append(background)
    return "\n\n".join(parts) + "\n"


@pytest.fixture(scope="module")
def seeds() -> list[Document]:
    return list(iter_documents("seeds/"))


def test_adding_gives_the_store_a_build_on_everything_gives(tmp_path, seeds):
    corpus = build(seeds[:2], tmp_path / "grown.db")
    corpus.add(seeds[2:4])
    corpus.add(seeds[4:])
    once = build(seeds, tmp_path / "once.db")
    assert len(corpus) == 5
    assert snapshot(corpus) == snapshot(once)
    assert corpus.stats["blocks"] == once.stats["blocks"]


@pytest.mark.parametrize("system_copy", ["refused", "partial", "missing"])
def test_an_add_makes_the_same_store_whatever_copy_the_system_offers(
    tmp_path, seeds, monkeypatch, system_copy
):
    """An add changes a copy of the store, made by the system's own copy where it has one
    (sharing the file's blocks on XFS or Btrfs); where it refuses (another file system, an old
    kernel), stops part way, or has none, a plain copy is made."""
    real = getattr(os, "copy_file_range", None)

    def refused(*args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    def partial(src, dst, count, *rest):
        if os.fstat(dst).st_size:  # a first piece is copied, then the system refuses
            raise OSError(errno.EIO, "Input/output error")
        return real(src, dst, min(count, 4096), *rest)

    if system_copy == "missing":
        monkeypatch.delattr(os, "copy_file_range", raising=False)
    elif real is None:
        pytest.skip("this system has no copy_file_range")
    else:
        monkeypatch.setattr(os, "copy_file_range", refused if system_copy == "refused" else partial)
    corpus = build(seeds[:2], tmp_path / "grown.db")
    corpus.add(seeds[2:])
    assert snapshot(corpus) == snapshot(build(seeds, tmp_path / "once.db"))


@pytest.mark.parametrize("step", ["add", "remove"])
def test_a_copy_that_cannot_be_made_leaves_the_store_as_it_was(tmp_path, seeds, monkeypatch, step):
    """The copy an add or a remove changes is made while the stored articles are taken up;
    if it cannot be made (a full disk), the command fails with a clear error, and the store
    and its folder are as they were."""
    path = tmp_path / "s.db"
    build(seeds[:3], path).close()
    before = path.read_bytes()

    def full(source, target):
        open(target, "wb").close()  # a part written, then the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "copy_file", full)
    with pytest.raises(StoreError, match="cannot write a store there .*No space left"):
        if step == "add":
            add(path, seeds[3:])
        else:
            remove(path, [seeds[0].name])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["s.db"]


def test_a_copy_of_a_store_is_its_bytes(tmp_path, seeds):
    source = tmp_path / "s.db"
    build(seeds, source).close()
    store.copy_file(source, tmp_path / "copy.db")
    assert (tmp_path / "copy.db").read_bytes() == source.read_bytes()


def test_a_passage_that_recurs_in_a_new_story_becomes_a_block_in_the_old_article(tmp_path):
    corpus = build([Document("a.txt", story(0))], tmp_path / "s.db")
    assert corpus.blocks() == []
    assert BACKGROUND in corpus.article("a.txt").clean_text
    corpus.add([Document("b.txt", story(1))])
    (block,) = corpus.blocks()
    assert block.text == BACKGROUND
    for name in ("a.txt", "b.txt"):
        article = corpus.article(name)
        assert [s.block for s in article.segments if s.kind == "shared"] == [block.id]
        assert BACKGROUND not in article.clean_text
        assert STORIES[int(name == "b.txt")] in article.clean_text


def test_a_new_variant_of_a_known_block_references_that_block(tmp_path):
    docs = [Document(f"{i}.txt", story(i)) for i in range(3)]
    corpus = build(docs, tmp_path / "s.db")
    (before,) = corpus.blocks()
    reworded = BACKGROUND.replace("studies", "researches").replace("1962", "1961")
    corpus.add([Document("3.txt", story(3, reworded))])
    (after,) = corpus.blocks()
    assert after.id == before.id  # the canonical wording is still the most common one
    assert [v.text for v in corpus.variants(after.id)] == [BACKGROUND, reworded]
    segments = corpus.article("3.txt").segments
    assert [s.block for s in segments if s.kind == "shared"] == [after.id]
    assert "researches" not in corpus.article("3.txt").clean_text


def test_a_copy_of_a_stored_story_is_marked_as_its_duplicate(tmp_path):
    docs = [Document(f"{i}.txt", story(i)) for i in range(3)]
    corpus = build(docs, tmp_path / "s.db")
    assert corpus.duplicates() == []
    copy = story(1, background=None) + "Copyright 2024 Velmont Daily. All rights reserved.\n"
    corpus.add([Document("copy.txt", copy)])
    assert [(d.name, d.of) for d in corpus.duplicates()] == [("copy.txt", "1.txt")]


SECOND_BACKGROUND = (
    "Its yearly report, read by engineers and ministers alike, ranks every plant by output, "
    "cost and the damage it does to the fish and birds of the shore around it."
)


def copies_with(detail_x: int, detail_y: int) -> list[Document]:
    """Two copies of story 0 that each carry another story's sentence as their own text, and
    both the two background sentences: they are copies while the backgrounds are their own
    shared text, and not once those are backgrounds, left out of both (too little is left in
    common)."""
    tail = f"{BACKGROUND} {SECOND_BACKGROUND}"
    return [
        Document("x.txt", f"{STORIES[0]}\n\n{STORIES[detail_x]}\n\n{tail}\n"),
        Document("y.txt", f"{STORIES[0]}\n\n{STORIES[detail_y]}\n\n{tail}\n"),
    ]


QUIET = Document("b.txt", "A quiet week in the valley, with nothing to report.\n")


def judged_pairs(monkeypatch) -> set[tuple[str, str]]:
    """Records the pairs of articles the copies judge (pass 2, `_copies_strict`), by name."""
    judged: set[tuple[str, str]] = set()
    strict = blocks.Detector._copies_strict

    def recording(self, ordered, *args):
        span = args[-1]
        judged.update((self.names[x], self.names[y]) for x, y in ordered[span[0] : span[1]])
        return strict(self, ordered, *args)

    monkeypatch.setattr(blocks.Detector, "_copies_strict", recording)
    return judged


def test_an_add_judges_only_the_pairs_of_articles_it_changed(tmp_path, monkeypatch):
    """The store keeps the copies' verdicts by a key of everything each depends on: an add
    that changes nothing about a stored pair does not judge it again."""
    judged = judged_pairs(monkeypatch)
    docs = [*copies_with(2, 3), Document("a.txt", story(1, background=None))]
    corpus = build(docs, tmp_path / "s.db")
    assert [(d.name, d.of) for d in corpus.duplicates()] == [("y.txt", "x.txt")]
    assert judged == {("x.txt", "y.txt")} and len(corpus.answers()["verdicts"]) == 1
    judged.clear()
    corpus.add([QUIET])
    assert judged == set()
    once = build([*docs, QUIET], tmp_path / "once.db")
    assert corpus.answers() == once.answers()
    assert snapshot(corpus) == snapshot(once)
    assert [(d.name, d.of) for d in corpus.duplicates()] == [("y.txt", "x.txt")]


def test_a_stored_copy_whose_shared_text_becomes_a_background_is_judged_again(
    tmp_path, monkeypatch
):
    """The same pair with the same units: only which of them are backgrounds changed, and so
    does the verdict (a key without the backgrounds would keep the stored one)."""
    judged = judged_pairs(monkeypatch)
    corpus = build(copies_with(2, 3), tmp_path / "s.db")
    assert [(d.name, d.of) for d in corpus.duplicates()] == [("y.txt", "x.txt")]
    judged.clear()
    other = Document("z.txt", f"{STORIES[1]}\n\n{BACKGROUND} {SECOND_BACKGROUND}\n")
    corpus.add([other])
    assert ("x.txt", "y.txt") in judged
    once = build([*copies_with(2, 3), other], tmp_path / "once.db")
    assert snapshot(corpus) == snapshot(once)
    assert corpus.duplicates() == []


@pytest.mark.parametrize(
    "change",
    [
        "UPDATE answers SET answers = '[7]' WHERE kind = 'verdicts'",
        "UPDATE info SET value = '0.0.1' WHERE key = 'newscorpus_version'",
    ],
    ids=["a-verdict-that-is-not-one", "written-by-another-version"],
)
def test_kept_verdicts_that_cannot_be_trusted_are_judged_again(tmp_path, monkeypatch, change):
    """A kept verdict that is not true or false (a store changed by hand) is not used; nor
    are the answers another version of newscorpus kept (it may answer differently). The pair
    is judged again, and the store, its answers too, is the one a build gives."""
    path = tmp_path / "s.db"
    docs = [*copies_with(2, 3), Document("a.txt", story(1, background=None))]
    build(docs, path).close()
    with sqlite3.connect(path) as db:
        db.execute(change)
    db.close()
    judged = judged_pairs(monkeypatch)
    corpus = add(path, [QUIET])
    assert judged == {("x.txt", "y.txt")}
    once = build([*docs, QUIET], tmp_path / "once.db")
    assert snapshot(corpus) == snapshot(once)
    assert corpus.answers() == once.answers()


def test_answers_kept_by_another_version_are_not_read(tmp_path):
    path = tmp_path / "s.db"
    build(copies_with(2, 3), path).close()
    assert Corpus.open(path).answers()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE info SET value = '0.0.1' WHERE key = 'newscorpus_version'")
    db.close()
    assert Corpus.open(path).answers() is None


def with_furniture(name: str, i: int) -> Document:
    """Story ``i`` under a widget line ("Advertisement") of its own."""
    return Document(name, "Advertisement\n\n" + story(i, background=None))


GLUED = Document(
    "g.txt",
    f"{STORIES[2]}\n\nPrices rose sharply in the spring. Advertisement {DETAILS[2]}\n",
)


def glued_reads(monkeypatch) -> list[str]:
    """Records the articles whose texts are read for furniture glued to units."""
    read: list[str] = []
    map_texts = blocks.Detector.map_texts

    def recording(self, function, articles, args, workers=1):
        if getattr(function, "func", None) is blocks._glued_furniture:
            read.extend(self.names[a] for a in articles)
        return map_texts(self, function, articles, args, workers)

    monkeypatch.setattr(blocks.Detector, "map_texts", recording)
    return read


def test_an_add_reads_again_only_the_texts_whose_question_changed(tmp_path, monkeypatch):
    """The store keeps what the texts answered the analysis (here: furniture glued to a
    sentence) by a key of the question: an add reads only the new article."""
    read = glued_reads(monkeypatch)
    docs = [with_furniture("a.txt", 0), with_furniture("b.txt", 1), with_furniture("c.txt", 3)]
    corpus = build([*docs, GLUED], tmp_path / "s.db")
    assert "g.txt" in read
    read.clear()
    new = Document(
        "d.txt",
        "The crews were paid on Friday after a long dispute. The port reopened at dawn with "
        "every crane working.\n\nAdvertisement\n",
    )
    corpus.add([new])
    assert read == ["d.txt"]
    glued = [s for s in corpus.article("g.txt").segments if s.kind == "shared"]
    assert [GLUED.text[s.start : s.end] for s in glued] == ["Advertisement"]
    assert snapshot(corpus) == snapshot(build([*docs, GLUED, new], tmp_path / "once.db"))


def test_a_stored_unit_is_read_again_when_a_new_furniture_line_may_be_glued_to_it(
    tmp_path, monkeypatch
):
    """ "Advertisement" becomes a furniture line only once three articles carry it alone on a
    line: the stored unit it is glued to was asked before and found nothing, and is asked
    again (a key without the furniture lines would keep that answer)."""
    read = glued_reads(monkeypatch)
    share = "\n\nShare this article\n"
    docs = [
        Document("a.txt", with_furniture("a.txt", 0).text + share),
        Document("b.txt", with_furniture("b.txt", 1).text + share),
        Document("s.txt", story(3, background=None) + share),
        GLUED,
    ]
    corpus = build(docs, tmp_path / "s.db")  # "Share this article" is a furniture line
    assert "g.txt" in read
    assert [s.kind for s in corpus.article("g.txt").segments] == ["novel"]
    read.clear()
    museum = Document(
        "c.txt",
        "Advertisement\n\nThe museum of Orsk reopened its doors after two years of repairs, "
        "and the first visitors queued from early morning.\n",
    )
    corpus.add([museum])
    assert "g.txt" in read
    glued = [s for s in corpus.article("g.txt").segments if s.kind == "shared"]
    assert [GLUED.text[s.start : s.end] for s in glued] == ["Advertisement"]
    assert snapshot(corpus) == snapshot(build([*docs, museum], tmp_path / "once.db"))


@pytest.mark.parametrize(
    "answers",
    ["not json", '{"a": 1}', "[[], []]"],
    ids=["not-json", "not-a-list", "too-many"],
)
def test_an_add_on_a_store_with_damaged_answers_is_refused(tmp_path, answers):
    path = tmp_path / "s.db"
    build(
        [with_furniture("a.txt", 0), with_furniture("b.txt", 1), with_furniture("c.txt", 3), GLUED],
        path,
    ).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE answers SET answers = ?", (answers,))
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="the stored answers are damaged"):
        add(path, [Document("d.txt", story(1))])
    assert path.read_bytes() == before


def test_a_kept_answer_that_does_not_fit_its_question_is_asked_again(tmp_path, monkeypatch):
    """An answer naming a unit the article does not have (a store changed by hand) is not
    used: the text is read again, and the store is the one a build gives."""
    path = tmp_path / "s.db"
    docs = [with_furniture("a.txt", 0), with_furniture("b.txt", 1), with_furniture("c.txt", 3)]
    build([*docs, GLUED], path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE answers SET answers = ? WHERE kind = 'glued'", ("[[[7, 1, 0]]]",))
    db.close()
    read = glued_reads(monkeypatch)
    new = Document("d.txt", story(1))
    corpus = add(path, [new])
    assert "g.txt" in read
    assert snapshot(corpus) == snapshot(build([*docs, GLUED, new], tmp_path / "once.db"))


def signed_wordings(monkeypatch) -> list[int]:
    """Records how many wordings each signing signs (`Detector._joins` signs the blocks' most
    frequent wordings)."""
    signed: list[int] = []
    sign = blocks.Signer.sign_tokens

    def signing(self, units):
        signed.append(len(units))
        return sign(self, units)

    monkeypatch.setattr(blocks.Signer, "sign_tokens", signing)
    return signed


@pytest.mark.parametrize(
    "answer",
    [[3, "AAAA"], [3, "not base64!"], ["3", None], [-1, None], [3]],
    ids=["short", "not-base64", "count-not-int", "negative-count", "no-signature"],
)
def test_a_kept_signature_that_does_not_fit_is_signed_again(tmp_path, seeds, monkeypatch, answer):
    """Every kept signature of a wording damaged (a store changed by hand): each wording is
    signed again, and the store is the one a build gives."""
    path = tmp_path / "s.db"
    build(seeds[:4], path).close()
    with sqlite3.connect(path) as db:
        (text,) = db.execute("SELECT answers FROM answers WHERE kind = 'signatures'").fetchone()
        kept = json.loads(text)
        good = kept[0][1]
        damaged = [[x if x is not None else good for x in answer] for _ in kept]
        db.execute(
            "UPDATE answers SET answers = ? WHERE kind = 'signatures'", (json.dumps(damaged),)
        )
    db.close()
    signed = signed_wordings(monkeypatch)
    corpus = add(path, seeds[4:])
    assert sum(signed) == len(corpus.answers()["signatures"]) >= len(kept) >= 2
    assert snapshot(corpus) == snapshot(build(seeds, tmp_path / "once.db"))


def cut_wordings(monkeypatch) -> list[int]:
    """Records how many wordings each cutting of glued runs reads (`_Grams`)."""
    cut: list[int] = []
    grams = blocks._Grams.__init__

    def counting(self, texts, *args):
        cut.append(len(texts))
        grams(self, texts, *args)

    monkeypatch.setattr(blocks._Grams, "__init__", counting)
    return cut


GLUED_WORDING = (
    "The Kessler Institute, founded in 1962 in Dunmore, studies tidal energy. Meanwhile "
    "the minister said prices rose."
)


def trimmed(scratch, runs: list[tuple[str, bool, bool]], known=None) -> tuple[list[str], dict]:
    """The texts of ``runs`` (each ``(text, glued_start, glued_end)``, of one block, an
    article each) once `Detector._trim_glued` cut them, with ``known`` answers kept before;
    and the answers it keeps."""
    detector = blocks.Detector(Settings(), scratch=scratch)
    detector.known_answers = known
    n = len(runs)
    found = blocks._Runs(
        np.arange(n),
        np.zeros(n, dtype=np.int64),
        np.array([len(text) for text, _, _ in runs]),
        np.full(n, 7),
        np.array([start for _, start, _ in runs], dtype=bool),
        np.array([end for _, _, end in runs], dtype=bool),
        np.zeros(n, dtype=np.int64),
    )
    found.wording[:] = found.numbers(text for text, _, _ in runs)
    detector._trim_glued(found)
    detector.close()
    texts = [found.texts[w] for w in found.wording.tolist()]
    assert [len(t) for t in texts] == (found.end - found.start).tolist()
    return texts, detector.answers


def test_an_add_cuts_and_signs_again_only_the_blocks_it_changed(tmp_path, generated, monkeypatch):
    """On the 3 MB generated corpus (glued sentences), an add of a hundredth of the articles
    cuts again only the glued blocks whose wordings, or the ends they are cut at, changed: the
    store keeps each block's cuts by a key of those. And of the blocks' most frequent
    wordings (which `Detector._joins` compares), it signs only those not signed before. The
    store is the one a build gives."""
    cut = cut_wordings(monkeypatch)
    signed = signed_wordings(monkeypatch)
    docs = list(iter_documents(generated, name_field="name"))
    stored, new = docs[: -len(docs) // 100], docs[-len(docs) // 100 :]
    corpus = build(stored, tmp_path / "s.db")
    in_build, signed_in_build = sum(cut), sum(signed)
    cut.clear()
    signed.clear()
    corpus.add(new)
    assert 0 < sum(cut) < in_build / 4  # 172 of 1,331 wordings when written
    assert 0 < sum(signed) < signed_in_build / 10
    assert snapshot(corpus) == snapshot(build(docs, tmp_path / "once.db"))
    cut.clear()
    signed.clear()
    quiet = Document("quiet.txt", "A quiet week in the valley, with nothing to report.\n")
    corpus.add([quiet])
    assert cut == [] and signed == []
    assert snapshot(corpus) == snapshot(build([*docs, quiet], tmp_path / "again.db"))


def test_a_glued_wording_in_a_second_run_is_cut_again(tmp_path):
    """A k-gram is a block's from two runs on: a glued wording found in one run is cut at its
    glued sentence, and in two runs it is not. So the cuts' key holds whether each wording is
    in two or more runs (and no more than that: three runs give the key of two)."""
    kept = GLUED_WORDING
    alone = kept[: kept.index(" Meanwhile")]

    def trim(glued_runs: int, known=None):
        runs = [(alone, False, False)] + [(kept, False, True)] * glued_runs
        return trimmed(tmp_path, runs, known)

    once, kept_once = trim(1)
    assert once == [alone, alone]
    twice, kept_twice = trim(2, kept_once)
    assert twice == [alone, kept, kept] == trim(2)[0]
    thrice, kept_thrice = trim(3)
    assert kept_thrice["cuts"].keys() == kept_twice["cuts"].keys() != kept_once["cuts"].keys()


GLUED_SENTENCES = [
    "The Kessler Institute, founded in 1962 in Dunmore, studies tidal energy.",
    "Its three research vessels survey the northern coast every spring.",
    "Meanwhile the minister said prices rose.",
    "Shares of Acme Corp fell 3 percent on Tuesday.",
    "Reporting by Jane Doe; editing by John Roe.",
]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, 3),
            st.lists(st.integers(0, len(GLUED_SENTENCES) - 1), min_size=1, max_size=4),
            st.integers(1, 3),
            st.sampled_from([2, 4, 8, 6, 10, 12, 14]),
        ),
        min_size=1,
        max_size=12,
    )
)
def test_a_blocks_cuts_are_its_own(found):
    """A Dask build cuts each block's glued wordings in the part of the blocks that holds it,
    with whichever blocks share that part, in the order the pieces sent them
    (`newscorpus.dask_engine._cuts_of_part`): a block's cuts (`blocks.glued_cuts`) are the
    same cut with other blocks as alone, in any order of its wordings."""
    distinct: dict[tuple[int, str], tuple[int, int]] = {}
    for block, sentences, runs_with, bits in found:
        text = " ".join(GLUED_SENTENCES[i] for i in sentences)
        distinct.setdefault((block, text), (runs_with, bits))
    keys = list(distinct)
    pairs = blocks.GluedPairs(
        [b for b, _ in keys],
        [t for _, t in keys],
        [distinct[k][0] for k in keys],
        [distinct[k][1] for k in keys],
        np.zeros(0, np.int64),
    )
    lo_at, hi_at = blocks.glued_cuts(pairs)
    for block in set(pairs.block):
        mine = [i for i, b in enumerate(pairs.block) if b == block][::-1]
        alone = blocks.GluedPairs(
            [pairs.block[i] for i in mine],
            [pairs.text[i] for i in mine],
            [pairs.runs_with[i] for i in mine],
            [pairs.bits[i] for i in mine],
            np.zeros(0, np.int64),
        )
        lo, hi = blocks.glued_cuts(alone)
        assert (lo == lo_at[mine]).all() and (hi == hi_at[mine]).all()
    # Each glued end kept is a span within its wording.
    for i, (text, bits) in enumerate(zip(pairs.text, pairs.bits)):
        for code in range(1, 4):
            if bits >> code & 1:
                assert 0 <= lo_at[i, code] <= hi_at[i, code] <= len(text)


@pytest.mark.parametrize(
    "damage", ["ends in another order", "an end not a bool", "past the end", "one cut short"]
)
def test_a_kept_cut_that_does_not_fit_is_cut_again(tmp_path, monkeypatch, damage):
    """A block's kept cuts (a store changed by hand) that do not give, for each of its
    wordings, a cut at each of its glued ends in order, with a span within the wording, are
    not used: the block is cut again, as if nothing were kept."""
    text = GLUED_WORDING
    cut = cut_wordings(monkeypatch)

    def trim(known=None):
        return trimmed(tmp_path, [(text, False, True), (text, True, True)], known)

    fresh, answers = trim()
    assert cut == [1]
    ((key, kept),) = answers["cuts"].items()
    assert [[c[:2] for c in found] for found in kept] == [[[False, True], [True, True]]]
    assert trim(answers)[0] == fresh and cut == [1]  # a kept cut that fits: not cut again
    damaged = json.loads(json.dumps(kept))
    if damage == "ends in another order":
        damaged[0].reverse()
    elif damage == "an end not a bool":
        damaged[0][0][1] = 1
    elif damage == "past the end":
        damaged[0][0][3] = len(text) + 1
    else:
        damaged[0].pop()
    again, answers_again = trim({"cuts": {key: damaged}})
    assert cut == [1, 1]
    assert again == fresh and answers_again == answers


def stored_reads(monkeypatch) -> list[str]:
    """Records the stored articles whose texts are read from the store, by name."""
    read: list[str] = []
    texts = store.Corpus.texts

    def recording(self, ids):
        names = dict(self._db.execute("SELECT id, name FROM articles"))
        read.extend(names[i] for i in ids)
        return texts(self, ids)

    monkeypatch.setattr(store.Corpus, "texts", recording)
    return read


def test_an_add_reads_the_stored_texts_only_of_the_articles_it_changes(tmp_path, monkeypatch):
    """The stored texts stay in the store: an add that changes no stored article reads none
    of them (a run found where a stored shared segment is takes its stored wording), and one
    that makes a stored article's own passage a block reads that article alone."""
    read = stored_reads(monkeypatch)
    docs = [Document("0.txt", story(0)), Document("1.txt", story(1, background=None))]
    corpus = build(docs, tmp_path / "s.db")
    assert corpus.blocks() == []
    corpus.add([QUIET])
    assert read == []
    new = Document("2.txt", story(2))
    corpus.add([new])
    assert set(read) == {"0.txt"}
    (block,) = corpus.blocks()
    assert block.text == BACKGROUND and corpus.block_articles(block.id) == ["0.txt", "2.txt"]
    read.clear()
    corpus.add([Document("3.txt", story(3))])
    assert read == []  # 0.txt and 2.txt carry the block where they did
    once = build([*docs, QUIET, new, Document("3.txt", story(3))], tmp_path / "once.db")
    assert snapshot(corpus) == snapshot(once)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        ('[[0, 3, "A"]]', "'3.txt' is damaged"),
        ("[[0, 3", "the stored wordings are damaged"),
        ('{"a": 1}', "the stored wordings are damaged"),
        ("7", "the stored wordings are damaged"),
        (None, "article '3.txt' is damaged"),
    ],
    ids=["shorter", "not-json", "not-a-list", "a-number", "missing"],
)
def test_an_add_on_a_store_with_a_damaged_wording_is_refused(tmp_path, edit, message):
    """A stored wording that is not its span's text (here, shorter) has its article read,
    whose text then does not match its checksum: the add is refused, the store unchanged
    (taken as the run's text, the wording would have kept its number, and the add its
    damage). A wording's stored edit that is no edit is refused as it is read, and a wording
    the store lacks (its row deleted: ``None``) refuses the article whose segment names it."""
    reworded = BACKGROUND.replace("studies", "researches")
    docs = [
        *(Document(f"{i}.txt", story(i)) for i in range(3)),
        Document("3.txt", story(3, reworded)),
    ]
    path = tmp_path / "s.db"
    build(docs, path).close()
    db = sqlite3.connect(path)
    damaged = (
        db.execute("DELETE FROM variants WHERE variant = 1")
        if edit is None
        else db.execute("UPDATE variants SET edit = ? WHERE variant = 1", (edit,))
    )
    assert damaged.rowcount == 1
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=message):
        add(path, [QUIET])
    assert path.read_bytes() == before
    assert not list(tmp_path.glob(".s.db.building*"))


@pytest.mark.parametrize(
    "change",
    [
        'start = "end"',
        '"end" = "end" + 100000',
        "wording = 7",
        "block_id = 'b0'",
        "wording = 'seven'",
        "block_id = NULL",
        "start = 'x'",
        "start = 1.5",
    ],
    ids=[
        "empty",
        "past-the-end",
        "no-such-variant",
        "no-such-block",
        "text-variant",
        "no-block",
        "text-start",
        "float-start",
    ],
)
def test_an_add_on_a_store_with_damaged_segments_is_refused(tmp_path, change):
    """The stored segments an add takes up without the text (shared and metadata ones) must
    be in order within the text, and a shared one a stored wording; otherwise the add is
    refused, the store unchanged."""
    docs = [Document(f"{i}.txt", story(i)) for i in range(3)]
    path = tmp_path / "s.db"
    build(docs, path).close()
    db = sqlite3.connect(path)
    damaged = db.execute(
        f"UPDATE segments SET {change} WHERE kind = 'shared' AND article_id = "
        "(SELECT id FROM articles WHERE name = '1.txt')"
    )
    assert damaged.rowcount == 1
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="'1.txt' is damaged"):
        add(path, [QUIET])
    assert path.read_bytes() == before


def test_adding_what_is_stored_already_changes_nothing(tmp_path, seeds):
    corpus = build(seeds, tmp_path / "s.db")
    before = snapshot(corpus)
    corpus.add(seeds[1:3])
    assert snapshot(corpus) == before


def test_a_stored_name_with_another_text_is_refused_and_nothing_changes(tmp_path, seeds):
    corpus = build(seeds, tmp_path / "s.db")
    before = snapshot(corpus)
    changed = Document(seeds[0].name, seeds[0].text + "More.")
    with pytest.raises(ValueError, match=f"{seeds[0].name}.*another text"):
        corpus.add([Document("new.txt", "A new article."), changed])
    assert snapshot(corpus) == before
    assert not list(tmp_path.glob(".s.db.building*"))


def test_removing_an_article_leaves_what_a_build_without_it_gives(tmp_path):
    docs = [Document(f"{i}.txt", story(i, BACKGROUND if i < 2 else None)) for i in range(4)]
    corpus = build(docs, tmp_path / "s.db")
    assert len(corpus.blocks()) == 1
    corpus.remove(["1.txt"])
    assert corpus.blocks() == []  # the block no longer spans two stories
    article = corpus.article("0.txt")
    assert {s.kind for s in article.segments} == {"novel"}
    assert BACKGROUND in article.clean_text
    assert snapshot(corpus) == snapshot(build(docs[:1] + docs[2:], tmp_path / "rest.db"))
    with pytest.raises(KeyError):
        corpus.article("1.txt")


def test_removing_leaves_the_other_blocks_as_they_were(tmp_path, seeds):
    corpus = build(seeds, tmp_path / "s.db")
    others = [d for d in seeds if d.name != seeds[0].name]
    kept_ids = {b.id for b in corpus.blocks() if seeds[0].name not in corpus.block_articles(b.id)}
    corpus.remove([seeds[0].name])  # the first carrier of every passage it shares
    assert kept_ids <= {b.id for b in corpus.blocks()}
    for doc in others:
        assert corpus.article(doc.name).text == doc.text
    assert snapshot(corpus) == snapshot(build(others, tmp_path / "others.db"))


def test_the_store_grows_again_after_a_remove(tmp_path, seeds):
    corpus = build(seeds, tmp_path / "s.db")
    corpus.remove([seeds[0].name])  # the first carrier: others take its signatures over
    corpus.add(seeds[:1])
    assert snapshot(corpus) == snapshot(build([*seeds[1:], seeds[0]], tmp_path / "once.db"))


def test_an_add_grows_the_lsh_pairs_the_store_kept(tmp_path, seeds, monkeypatch):
    grown_from = []
    grow = blocks.grown_pairs
    monkeypatch.setattr(blocks, "_GROWN_SHARE", 1.0)
    monkeypatch.setattr(
        blocks, "grown_pairs", lambda *args: grown_from.append(args[4]) or grow(*args)
    )
    corpus = build(seeds[:2], tmp_path / "grown.db")
    kept = corpus.verified()
    corpus.add(seeds[2:4])
    corpus.add(seeds[4:])
    assert grown_from[0] == kept[0] > 0 and len(grown_from) == 2
    once = build(seeds, tmp_path / "once.db")
    assert snapshot(corpus) == snapshot(once)
    assert corpus.verified()[0] == once.verified()[0]
    assert corpus.verified()[1].tolist() == once.verified()[1].tolist()


def test_a_remove_shrinks_the_lsh_pairs_the_store_kept(tmp_path, generated, monkeypatch):
    """On the 3 MB generated corpus (backgrounds in big LSH buckets), removing a twentieth of
    the articles, the first among them (whose units others carry: they take the signatures
    over), shrinks the stored pairs (`blocks.shrunk_pairs`) to those a build on the rest keeps."""
    shrunk_from = []
    shrink = blocks.shrunk_pairs
    monkeypatch.setattr(blocks, "_GROWN_SHARE", 1.0)
    monkeypatch.setattr(
        blocks, "shrunk_pairs", lambda *args: shrunk_from.append(len(args[5])) or shrink(*args)
    )
    docs = list(iter_documents(generated, name_field="name"))
    gone = {d.name for d in docs[:: len(docs) // 20]}
    corpus = build(docs, tmp_path / "s.db")
    kept = corpus.verified()
    corpus.remove(sorted(gone))
    assert shrunk_from == [kept[0]]
    rest = build([d for d in docs if d.name not in gone], tmp_path / "rest.db")
    assert snapshot(corpus) == snapshot(rest)
    assert corpus.verified()[0] == rest.verified()[0] < kept[0]
    assert corpus.verified()[1].tolist() == rest.verified()[1].tolist()


@pytest.mark.parametrize("most_free", [0.0, 1.0], ids=["compacted", "left"])
def test_an_updated_store_with_many_free_pages_is_compacted(
    tmp_path, seeds, monkeypatch, most_free
):
    """Rows deleted or written again free their pages; past a share of free pages the updated
    store is compacted before it is moved into place (a share of 0: every time)."""
    monkeypatch.setattr(store, "_MAX_FREE", most_free)
    corpus = build(seeds, tmp_path / "s.db")
    corpus.remove([seeds[0].name, seeds[1].name])
    with sqlite3.connect(tmp_path / "s.db") as db:
        free = db.execute("PRAGMA freelist_count").fetchone()[0]
    assert (free == 0) == (most_free == 0.0)
    assert snapshot(corpus) == snapshot(build(seeds[2:], tmp_path / "rest.db"))
    corpus.add(seeds[:2])
    assert snapshot(corpus) == snapshot(build([*seeds[2:], *seeds[:2]], tmp_path / "once.db"))


ORPHAN = (
    'INSERT INTO segments (article_id, seq, start, "end", kind, text) '
    "VALUES (?, 0, 0, 5, 'meta', 'By X')"
)


@pytest.mark.parametrize(
    "damage, values, message",
    [
        ("UPDATE verified SET pairs = ?", (b"\x01\x02\x03",), "the stored LSH pairs are damaged"),
        ("UPDATE verified SET pairs = ?", (b"\xff" * 8,), "the stored LSH pairs are damaged"),
        (ORPHAN, (999,), "a segment names no stored article"),
        (ORPHAN, (-1,), "a segment names no stored article"),
        (ORPHAN, ("x",), "a segment names no stored article"),
        ("UPDATE articles SET length = ? WHERE id = 1", ("x",), "the stored articles are damaged"),
        ("DELETE FROM prepared WHERE article_id = ?", (1,), "article '.*' is damaged"),
    ],
    ids=[
        "pairs-cut",
        "pairs-out-of-range",
        "segment-after",
        "segment-before",
        "segment-text",
        "length-text",
        "no-prepared",
    ],
)
def test_an_add_or_remove_on_a_damaged_store_is_refused_and_changes_nothing(
    tmp_path, seeds, damage, values, message
):
    path = tmp_path / "s.db"
    build(seeds[:3], path).close()
    with sqlite3.connect(path) as db:
        db.execute(damage, values)
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match=message):
        add(path, seeds[3:])
    with pytest.raises(StoreError, match=message):
        remove(path, [seeds[0].name])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.db"]


@pytest.mark.parametrize("hint", [10**15, "many", -3, None, 1])
def test_the_stores_count_of_distinct_units_is_a_hint_an_add_or_remove_does_not_trust(
    tmp_path, seeds, hint
):
    """An add or remove makes its key index ready for as many distinct units as the store's
    stats say it had (`KeyIndex`), as far as the store's size allows: a count that is wrong,
    huge or not a number changes nothing."""
    path = tmp_path / "s.db"
    build(seeds[:3], path).close()
    with sqlite3.connect(path) as db:
        stats = json.loads(db.execute("SELECT value FROM info WHERE key = 'stats'").fetchone()[0])
        stats["distinct_units"] = hint
        db.execute("UPDATE info SET value = ? WHERE key = 'stats'", (json.dumps(stats),))
    db.close()
    grown = add(path, seeds[3:])
    assert snapshot(grown) == snapshot(build(seeds, tmp_path / "once.db"))
    grown.close()
    shrunk = remove(path, [seeds[0].name])
    assert snapshot(shrunk) == snapshot(build(seeds[1:], tmp_path / "rest.db"))


def test_removing_an_unknown_name_is_refused_and_nothing_changes(tmp_path, seeds):
    corpus = build(seeds, tmp_path / "s.db")
    before = snapshot(corpus)
    with pytest.raises(StoreError, match="no article named 'nope'; nothing removed"):
        corpus.remove([seeds[0].name, "nope"])
    assert snapshot(corpus) == before


def test_a_second_writer_is_refused_while_one_holds_the_store(tmp_path, seeds):
    path = tmp_path / "s.db"
    build(seeds[:2], path).close()
    with _writing(path):
        with pytest.raises(StoreError, match="another build, add or remove is writing"):
            add(path, seeds[2:])
        with pytest.raises(StoreError, match="another build, add or remove is writing"):
            build(seeds, path)
    add(path, seeds[2:]).close()


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(corpora(max_articles=7), st.randoms(use_true_random=False))
@pytest.mark.parametrize("grow", [False, True], ids=["band-everything", "grow-the-lsh"])
def test_any_batching_gives_the_store_one_build_gives(
    tmp_path_factory, monkeypatch, grow, articles, rnd
):
    """Also when every add grows the stored LSH pairs (`grown_pairs`), whatever share of new
    units it brings."""
    monkeypatch.setattr(blocks, "_GROWN_SHARE", 1.0 if grow else 0.0)
    folder = tmp_path_factory.mktemp("batches")
    docs = [Document(n, t) for n, t in articles]
    order = list(docs)
    rnd.shuffle(order)
    cuts = sorted(rnd.sample(range(1, len(order)), min(rnd.randint(0, 3), len(order) - 1)))
    batches = [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)])]
    corpus = build(batches[0], folder / "grown.db")
    for batch in batches[1:]:
        corpus.add(batch)
    once = build(order, folder / "once.db")
    assert snapshot(corpus) == snapshot(once)
    # and removing the last batch again gives the store of the others
    if len(batches) > 1:
        corpus.remove([d.name for d in batches[-1]])
        rest = build([d for b in batches[:-1] for d in b], folder / "rest.db")
        assert snapshot(corpus) == snapshot(rest)
        # and adding it back gives the store of all of them again
        corpus.add(batches[-1])
        assert snapshot(corpus) == snapshot(build(order, folder / "again.db"))


# -- the command line ---------------------------------------------------------------------------


def test_add_and_remove_on_the_command_line(tmp_path, seeds):
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    for i, doc in enumerate(seeds):
        ((first if i < 3 else second) / doc.name).write_text(doc.text, encoding="utf-8")
    assert run("build", str(first), "-o", "s.db", "--quiet", cwd=tmp_path).returncode == 0
    added = run("add", "s.db", str(second), cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    assert "added 2 articles; s.db now holds 5 articles" in added.stderr
    again = run("add", "s.db", str(second), cwd=tmp_path)
    assert "added 0 articles" in again.stderr
    with Corpus.open(tmp_path / "s.db") as grown:
        assert snapshot(grown) == snapshot(build(seeds, tmp_path / "once.db"))
    removed = run("remove", "s.db", seeds[4].name, "--quiet", cwd=tmp_path)
    assert (removed.returncode, removed.stderr) == (0, "")
    with Corpus.open(tmp_path / "s.db") as smaller:
        assert len(smaller) == 4


@pytest.mark.parametrize(
    "args, message",
    [
        (["remove", "s.db", "nope.txt"], "s.db: no article named 'nope.txt'; nothing removed"),
        (["add", "missing.db", "in"], "missing.db: no such store"),
        (["add", "s.db", "nowhere"], "nowhere: no such file or folder"),
        (["add", "not-a-store.txt", "in"], "not-a-store.txt: not a newscorpus store"),
    ],
)
def test_bad_adds_and_removes_exit_with_a_message_not_a_traceback(tmp_path, seeds, args, message):
    build(seeds, tmp_path / "s.db").close()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.txt").write_text("An article.\n")
    (tmp_path / "not-a-store.txt").write_text("hello\n")
    before = (tmp_path / "s.db").read_bytes()
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "s.db").read_bytes() == before


def test_an_add_to_an_older_schema_is_refused_with_a_clear_message(tmp_path, seeds):
    import sqlite3

    build(seeds, tmp_path / "s.db").close()
    db = sqlite3.connect(tmp_path / "s.db")
    db.execute("UPDATE info SET value = '0' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.txt").write_text("An article.\n")
    result = run("add", "s.db", "in", cwd=tmp_path)
    assert result.returncode == 2
    assert "s.db: store schema version 0 is not supported" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_new_name_repeated_within_one_add_is_refused(tmp_path, seeds):
    corpus = build(seeds, tmp_path / "s.db")
    before = snapshot(corpus)
    with pytest.raises(ValueError, match="two articles are named 'x.txt'"):
        corpus.add([Document("x.txt", "One."), Document("x.txt", "Two.")])
    assert snapshot(corpus) == before


def test_randomly_batched_seed_adds_match_one_build(tmp_path, seeds):
    rnd = random.Random(7)
    for trial in range(3):
        order = list(seeds)
        rnd.shuffle(order)
        path = tmp_path / f"t{trial}.db"
        corpus = build(order[:1], path)
        for doc in order[1:]:
            corpus.add([doc])
        assert snapshot(corpus) == snapshot(build(order, tmp_path / f"once{trial}.db"))


def as_version_2(path) -> None:
    """Make the store at ``path`` what version 2 wrote: a shared segment names its wording by
    its number among the block's variants, which have no key."""
    db = sqlite3.connect(path)
    db.execute(
        "UPDATE segments SET wording = (SELECT v.variant FROM variants v "
        "WHERE v.block_id = segments.block_id AND v.wording = segments.wording) "
        "WHERE kind = 'shared'"
    )
    db.execute("ALTER TABLE segments RENAME COLUMN wording TO variant")
    db.execute("ALTER TABLE variants DROP COLUMN wording")
    db.execute("UPDATE info SET value = '2' WHERE key = 'schema_version'")
    db.commit()
    db.close()


def dated_history(corpus: Corpus) -> list:
    return [history(corpus, b.id) for b in corpus.blocks()]


@pytest.mark.parametrize("change", ["add", "remove"])
def test_a_version_2_store_is_read_as_it_is_and_migrated_by_an_add_or_remove(
    tmp_path, seeds, change
):
    """A version 2 store names a shared segment's wording by its variant number: it reads as
    the store of this version does (texts, wordings, histories), and an add or remove makes
    it the store a build makes, of this version."""
    first = seeds[:4] if change == "add" else seeds
    build(first, tmp_path / "old.db").close()
    as_version_2(tmp_path / "old.db")
    old = Corpus.open(tmp_path / "old.db")
    assert old.schema_version == 2 and old.wording_column == "variant"
    same = build(first, tmp_path / "same.db")
    assert snapshot(old) == snapshot(same)
    assert dated_history(old) == dated_history(same)
    assert [old.article(d.name).text for d in first] == [d.text for d in first]
    if change == "add":
        old.add(seeds[4:])
        once = build(seeds, tmp_path / "once.db")
    else:
        old.remove([seeds[0].name])
        once = build(seeds[1:], tmp_path / "once.db")
    assert old.schema_version == 3
    assert snapshot(old) == snapshot(once)
    assert dated_history(old) == dated_history(once)
    old.add(seeds[:1] if change == "remove" else [Document("new.txt", "A new article.\n")])


def test_a_version_1_store_is_read_as_it_is_and_migrated_by_an_add(tmp_path, seeds):
    import sqlite3

    build(seeds[:3], tmp_path / "old.db").close()
    as_version_2(tmp_path / "old.db")
    db = sqlite3.connect(tmp_path / "old.db")
    db.execute("DROP TABLE prepared")  # what version 1 did not have
    db.execute("UPDATE info SET value = '1' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    old = Corpus.open(tmp_path / "old.db")
    assert old.schema_version == 1
    assert snapshot(old) == snapshot(build(seeds[:3], tmp_path / "three.db"))
    old.add(seeds[3:])
    assert old.schema_version == 3
    assert snapshot(old) == snapshot(build(seeds, tmp_path / "once.db"))
