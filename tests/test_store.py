"""The store refuses what is not a store, says when it cannot rebuild an article, and keeps an
existing store whole when a build fails."""

import sqlite3

import pytest

from newscorpus import Corpus, Document, InputError, StoreError, build
from newscorpus.store import SCHEMA_VERSION

DOCS = [
    Document("a.txt", "Story one.\n\nA shared background sentence about the war in 2020."),
    Document("b.txt", "Story two.\n\nA shared background sentence about the war in 2020."),
]


def test_a_missing_file_is_not_a_store(tmp_path):
    with pytest.raises(StoreError, match="no such store"):
        Corpus.open(tmp_path / "nothing.db")


def test_a_text_file_is_not_a_store(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not a database at all\n" * 100)
    with pytest.raises(StoreError, match="not a newscorpus store"):
        Corpus.open(path)


def test_another_sqlite_database_is_not_a_store(tmp_path):
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a newscorpus store"):
        Corpus.open(path)


def test_another_schema_version_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "s.db"
    build(DOCS, path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE info SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    db.commit()
    db.close()
    with pytest.raises(StoreError, match=f"schema version {SCHEMA_VERSION + 1} is not supported"):
        Corpus.open(path)


def test_a_damaged_segment_is_detected_not_returned(tmp_path):
    path = tmp_path / "s.db"
    build(DOCS, path).close()
    db = sqlite3.connect(path)
    changed = db.execute(
        "UPDATE segments SET text = replace(text, 'two', '2') WHERE text LIKE 'Story two%'"
    )
    assert changed.rowcount == 1
    db.commit()
    db.close()
    with Corpus.open(path) as corpus:
        assert corpus.article("a.txt").text == DOCS[0].text
        with pytest.raises(StoreError, match="does not rebuild"):
            corpus.article("b.txt")


def test_a_failed_build_leaves_the_existing_store_whole(tmp_path):
    path = tmp_path / "s.db"
    build(DOCS, path).close()
    before = path.read_bytes()

    def failing():
        yield DOCS[0]
        yield DOCS[0]  # a duplicate name

    with pytest.raises(InputError, match="two articles are named"):
        build(failing(), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.db"]
    with Corpus.open(path) as corpus:
        assert [a.text for a in corpus.articles()] == [d.text for d in DOCS]


def test_settings_are_stored_with_the_corpus(tmp_path):
    import attrs

    from newscorpus import Settings

    settings = attrs.evolve(Settings(), unit_threshold=0.4)
    with build(DOCS, tmp_path / "s.db", settings) as corpus:
        assert corpus.settings == settings
    with Corpus.open(tmp_path / "s.db") as corpus:
        assert corpus.settings == settings


def test_unknown_names_raise_key_error(tmp_path):
    with build(DOCS, tmp_path / "s.db") as corpus:
        with pytest.raises(KeyError):
            corpus.article("missing.txt")
        with pytest.raises(KeyError):
            corpus.variants("bnothing")
