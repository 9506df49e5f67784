"""Every tunable of detection, in one frozen record that is stored with each corpus.

A store always says how it was built: `Settings.to_json` is written into it and
`Settings.from_json` reads it back. Change a setting with `attrs.evolve`:

>>> import attrs
>>> s = attrs.evolve(Settings(), shingle_size=4)
>>> s.shingle_size, Settings.from_json(s.to_json()) == s
(4, True)
"""

from __future__ import annotations

import json
from typing import Any

import attrs
from attrs import validators as v


def _in_unit_interval(instance: Any, attribute: attrs.Attribute, value: float) -> None:
    if not 0.0 < value <= 1.0:
        raise ValueError(f"{attribute.name} must be in (0, 1], got {value!r}")


@attrs.frozen
class Settings:
    """How shared blocks and near-duplicate articles are found.

    Units: every paragraph (a non-blank line) is split into sentences. Units of at least
    ``min_minhash_words`` words are compared by MinHash over word ``shingle_size``-grams;
    shorter ones (page furniture such as "Reuter" or "Advertisement") only by their exact
    normalised text, and only when they stand alone on a line; a short sentence between two
    sentences of one block goes with the block.
    """

    #: Words per shingle. 3-grams keep reworded variants (Jaccard 0.35-0.5) findable.
    shingle_size: int = attrs.field(default=3, validator=[v.instance_of(int), v.ge(1), v.le(8)])
    #: MinHash permutations (datasketch ``num_perm``); the LSH bands split them.
    num_perm: int = attrs.field(default=128, validator=[v.instance_of(int), v.ge(8), v.le(1024)])
    #: Seed of the MinHash permutations (datasketch ``seed``).
    seed: int = attrs.field(default=1, validator=[v.instance_of(int), v.ge(0)])
    #: LSH banding: ``lsh_bands`` bands of ``lsh_rows`` rows; ``bands * rows <= num_perm``.
    lsh_bands: int = attrs.field(default=64, validator=[v.instance_of(int), v.ge(1)])
    lsh_rows: int = attrs.field(default=2, validator=[v.instance_of(int), v.ge(1)])
    #: Two units are variants of one passage when their estimated Jaccard reaches this.
    unit_threshold: float = attrs.field(default=0.25, validator=_in_unit_interval)
    #: Pairs this similar join their clusters; weaker ones only attach a lone unit to a cluster.
    strong_threshold: float = attrs.field(default=0.5, validator=_in_unit_interval)
    #: A pair with a unit of fewer words than this needs ``strong_threshold`` to count at all.
    short_unit_words: int = attrs.field(default=10, validator=[v.instance_of(int), v.ge(1)])
    #: Units with fewer words are matched by exact normalised text only.
    min_minhash_words: int = attrs.field(default=5, validator=[v.instance_of(int), v.ge(1)])
    #: Copies of one story share their lede: the first ``lede_units`` content units of
    #: ``min_minhash_words`` words or more, skipping passages that open different stories (site
    #: furniture, a background at the top: followed by three or more different continuations,
    #: or carried by more than ``lede_max_articles`` articles). Articles are compared as
    #: possible copies only when their first lede units are variants of one passage, and their
    #: second ones too where both have one.
    lede_units: int = attrs.field(default=2, validator=[v.instance_of(int), v.ge(1)])
    lede_max_articles: int = attrs.field(default=500, validator=[v.instance_of(int), v.ge(2)])
    #: Two articles are copies of one story when the text they share covers at least this share
    #: of each one's own text (averaged over the pair) ...
    duplicate_threshold: float = attrs.field(default=0.7, validator=_in_unit_interval)
    #: ... and at least this share of the less covered one.
    duplicate_min_side: float = attrs.field(default=0.5, validator=_in_unit_interval)
    #: Copies carry the same facts: of the passages two articles share that hold figures or
    #: names, at least this share must hold the same ones.
    duplicate_facts: float = attrs.field(default=0.5, validator=_in_unit_interval)
    #: An LSH bucket larger than this is linked as a star and a chain, not pair by pair.
    max_bucket_pairs: int = attrs.field(default=64, validator=[v.instance_of(int), v.ge(2)])
    #: A longer article is refused: cutting and signing one takes about 50 bytes of memory per
    #: character (news articles are a few thousand characters; this is a hostile or broken one).
    max_article_chars: int = attrs.field(
        default=10_000_000, validator=[v.instance_of(int), v.ge(1)]
    )

    def __attrs_post_init__(self) -> None:
        if self.lsh_bands * self.lsh_rows > self.num_perm:
            raise ValueError(
                f"lsh_bands * lsh_rows must not exceed num_perm: "
                f"{self.lsh_bands} * {self.lsh_rows} > {self.num_perm}"
            )

    def to_json(self) -> str:
        """The settings as a JSON object with sorted keys."""
        return json.dumps(attrs.asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Settings:
        """Read settings written by `to_json`; unknown keys are an error."""
        data = json.loads(text)
        known = {a.name for a in attrs.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown settings: {', '.join(unknown)}")
        return cls(**data)
