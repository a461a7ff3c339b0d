"""Masking the slots of an advert template before shingling.

A controller writes every advert of the accounts they run from one wording template and
changes only the slots: the working name, the age, the prices, the town and the area. On
adverts of 50-65 words, changing four or five slots changes a dozen of the word 3-shingles,
and two adverts of one template then score a Jaccard similarity of 0.3-0.5, under the
threshold; lowering the threshold instead joins unrelated advertisers. So, before
shingling, every slot word becomes one token (:data:`SLOT`):

- **numbers**: any word with a digit in it (ages, prices, "2hrs", phone digits);
- **names**: every forename of the name reference (male, female and ambiguous) and every
  word of the accounts' display names (working names such as "Roxy");
- **proper nouns**: a capitalised word (a town, a nationality) whose lower-case form makes
  up less than :data:`PROPER_SHARE` of its occurrences in the batch of adverts. Words that
  open sentences ("Hello") are seen lower-case elsewhere in a real corpus and stay.

The fixed words of the template are untouched, so two adverts of one template score near
1.0 whatever their slots, while two independent advertisers' adverts, which share few fixed
words, stay far apart. Masking works on the distinct words of a batch
(:data:`toex.assess.stim.minhash.WordMasker`): a million adverts cost one decision per
distinct word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from toex.assess.stim.names import NameGenderReference

#: The token every slot word is hashed as.
SLOT = "\x00slot"
#: A capitalised word is a proper noun when its lower-case spelling is under this share of
#: all its occurrences.
PROPER_SHARE = 0.1
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class SlotMasker:
    """Turns a batch's distinct cased words into the lower-case tokens to hash."""

    names: frozenset[str]
    proper_share: float = PROPER_SHARE

    def __call__(self, words: list[str], counts: np.ndarray) -> list[str]:
        """The token of each distinct word (``counts``: its occurrences in the batch)."""
        lower = [w.lower() for w in words]
        total: dict[str, int] = {}
        as_lower: dict[str, int] = {}
        for w, low, n in zip(words, lower, counts.tolist(), strict=True):
            total[low] = total.get(low, 0) + n
            if w == low:
                as_lower[low] = as_lower.get(low, 0) + n
        out: list[str] = []
        for w, low in zip(words, lower, strict=True):
            if (
                _DIGIT.search(low)
                or low in self.names
                or (
                    len(w) > 1
                    and w[0].isupper()
                    and as_lower.get(low, 0) < self.proper_share * total[low]
                )
            ):
                out.append(SLOT)
            else:
                out.append(low)
        return out


def slot_masker(
    reference: NameGenderReference, display_names: Iterable[str | None] = ()
) -> SlotMasker:
    """A masker for the reference's forenames and the words of the display names."""
    names = set(reference.male) | set(reference.female) | set(reference.ambiguous)
    for name in display_names:
        if name:
            names.update(w.lower() for w in re.findall(r"[A-Za-z']+", str(name)) if len(w) > 1)
    return SlotMasker(frozenset(names))
