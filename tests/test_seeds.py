"""seeds/seeds.corpus holds the five seed articles exactly as their .txt files."""

from pathlib import Path

from newscorpus.container import dumps, parse

SEEDS = Path(__file__).parents[1] / "seeds"


def test_the_seed_container_holds_the_seed_files_byte_for_byte():
    files = sorted(SEEDS.glob("*.txt"))
    assert len(files) == 5
    docs = parse((SEEDS / "seeds.corpus").read_bytes(), path=str(SEEDS / "seeds.corpus"))
    assert [(doc.name, doc.text.encode("utf-8")) for doc in docs] == [
        (file.name, file.read_bytes()) for file in files
    ]


def test_the_seed_container_is_what_the_writer_writes():
    data = (SEEDS / "seeds.corpus").read_bytes()
    assert dumps(parse(data)).encode("utf-8") == data
