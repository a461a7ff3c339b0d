"""Slot masking: adverts of one template with every slot changed still match; adverts of
different advertisers do not."""

from __future__ import annotations

import numpy as np

from toex.assess.stim.minhash import LshParams, near_duplicate_pairs, signatures
from toex.assess.stim.names import faker_reference
from toex.assess.stim.slots import SLOT, SlotMasker, slot_masker

TEMPLATE = (
    "hello sweet gentleman my name {name} i am {age} year hot girl . u can find me {town} "
    "{area} private place . price {p1}/1h {p2}/2h no rush . call or text me {phone} fast "
    "reply . i do gfe and relaxing massage . very soft body, warm skin, happy smile . "
    "discreet clean place with hot shower and fresh towels . first time in uk pretty girl"
)
SLOTS = (
    {"name": "Roxy", "age": "21", "town": "Leeds", "area": "near station", "p1": "80",
     "p2": "150", "phone": "07700 900123"},
    {"name": "Ioana", "age": "27", "town": "Bristol", "area": "old town", "p1": "120",
     "p2": "220", "phone": "07911 123456"},
)  # fmt: skip
OTHER = (
    "Hi there, I am Maria, a friendly lady visiting Leeds for a few days. Lovely apartment "
    "near station, call 07700 900124 any time, no withheld numbers"
)


def _jaccard(texts: list[str], masker: SlotMasker | None) -> float:
    sig, _ = signatures(texts, LshParams(), masker=masker)
    return float((sig[0] == sig[1]).mean())


def test_masking_lifts_a_template_with_changed_slots_over_the_threshold() -> None:
    texts = [TEMPLATE.format(**s) for s in SLOTS]
    masker = slot_masker(faker_reference(), ["Roxy"])
    assert _jaccard(texts, None) < 0.5
    assert _jaccard(texts, masker) >= 0.8
    pairs, _ = near_duplicate_pairs([*texts, OTHER], LshParams(fn_weight=0.9), masker)
    assert pairs.tolist() == [[0, 1]]


def test_masker_rules() -> None:
    masker = SlotMasker(frozenset({"roxy"}))
    words = ["Roxy", "roxy", "150", "2h", "Leeds", "Hello", "hello", "hello", "sweet"]
    counts = np.array([1, 1, 1, 1, 3, 1, 5, 0, 2])
    got = masker(words, counts)
    assert got[:5] == [SLOT] * 5
    assert got[5:] == ["hello", "hello", "hello", "sweet"]  # "Hello" is seen lower-case
