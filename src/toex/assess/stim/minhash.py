"""Near-duplicate advert text: MinHash signatures and LSH banding, vectorised.

One controller posts many adverts from one template with a few words changed (name, age,
area); InfoShield (Lee, Vajiac et al., ICDE 2021) showed such templates expose organised
activity, and MinHash LSH is the standard fast way to find them. This module computes the
same signatures as :class:`datasketch.MinHash` (scheme ``affine32``: a 32-bit hash of each
word 3-shingle, the MurmurHash3 finaliser, then ``num_perm`` affine permutations taken from
datasketch with the same seed) but for a whole column at once, and bands them as
:class:`datasketch.MinHashLSH` does with the band count and width that datasketch's
``_optimal_param`` chooses for the threshold. Tests check both against datasketch itself.

Everything is set-wise: texts are lower-cased and split into words by Arrow compute in
C++ (:func:`word_lists`), each distinct word is hashed once (CRC-32), and a shingle's hash
is a fixed numeric combination of its words' hashes (:func:`shingle_hash` gives the same
for one shingle string, and is the hash function handed to datasketch in tests), so no
shingle string is ever built. Candidate pairs (adverts sharing a band) are kept only when
their estimated Jaccard similarity reaches the threshold, which removes LSH's false
positives. datasketch (and the SciPy it pulls in) is imported only when first needed.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_WORD = re.compile(r"[a-z0-9']+")
_NON_WORD = r"[^a-z0-9']+"
_NON_WORD_CASED = r"[^A-Za-z0-9']+"
#: A function from the distinct cased words of a batch (and their counts) to the lower-case
#: token each is hashed as (see :mod:`toex.assess.stim.slots`).
WordMasker = Callable[[list[str], np.ndarray], list[str]]
_M1 = np.uint32(0x85EBCA6B)
_M2 = np.uint32(0xC2B2AE35)
_MIX = np.uint32(0x9E3779B1)
_U32 = 0xFFFFFFFF
#: Texts tokenised per Arrow batch (bounds the memory of the word lists).
TOKEN_BATCH = 100_000


@dataclass(frozen=True)
class LshParams:
    """MinHash and LSH settings: permutations, seed, shingle size, threshold, the weight of
    false negatives when choosing the bands, and the bucket window of candidate pairs."""

    num_perm: int = 64
    seed: int = 1
    shingle: int = 3
    threshold: float = 0.5
    #: datasketch's ``weights=(1 - fn_weight, fn_weight)``: 0.5 is datasketch's default
    #: (14 bands of 4 rows for 64 permutations at 0.5: a J=0.5 pair is a candidate 59% of
    #: the time); 0.9 gives 21 bands of 3 rows (94% at J=0.5, 99.4% at J=0.6), the
    #: candidates' false positives being removed by the pairwise check anyway.
    fn_weight: float = 0.5
    #: Each text is paired with the next ``window`` texts of its bucket (all pairs of a
    #: bucket up to ``window + 1`` texts; longer buckets, stock text, stay bounded).
    window: int = 16

    @property
    def bands(self) -> tuple[int, int]:
        """(b, r): datasketch's optimal band count and rows per band for the threshold."""
        from datasketch.lsh import _optimal_param

        b, r = _optimal_param(self.threshold, self.num_perm, 1.0 - self.fn_weight, self.fn_weight)
        return int(b), int(r)


def shingles(text: str, k: int = 3) -> set[str]:
    """Word k-shingles of lower-cased text (the whole text when shorter than k words)."""
    tokens = _WORD.findall(text.lower())
    if len(tokens) < k:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)}


def _fmix32_int(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & _U32
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & _U32
    return h ^ (h >> 16)


def _combine_int(words: Sequence[bytes]) -> int:
    h = zlib.crc32(words[0])
    for word in words[1:]:
        h = _fmix32_int((h * 0x9E3779B1 + zlib.crc32(word)) & _U32)
    return h


def shingle_hash(shingle: str) -> int:
    """The 32-bit hash of a shingle: CRC-32 of its first word, then for each further word
    ``fmix32(h * 0x9E3779B1 + crc32(word))`` (what :func:`shingle_arrays` computes)."""
    return _combine_int(shingle.encode("utf-8").split(b" "))


def shingle_hash_bytes(b: bytes) -> int:
    """The hash function handed to datasketch in tests (a shingle's UTF-8 bytes in, 32 bits
    out; the same as :func:`shingle_hash`)."""
    return _combine_int(b.split(b" "))


@cache
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a, b) for ``num_perm`` and ``seed``."""
    from datasketch import MinHash

    perms = MinHash(num_perm=num_perm, seed=seed).permutations
    return np.asarray(perms[0], dtype=np.uint32), np.asarray(perms[1], dtype=np.uint32)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * _M1
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * _M2
    return hv ^ (hv >> np.uint32(16))


def word_lists(
    texts: Sequence[str | None], keep_case: bool = False
) -> Iterator[tuple[np.ndarray, pa.Array]]:
    """Per batch of texts: (words per text, the words concatenated), lower-cased and split
    on anything but ``[a-z0-9']`` by Arrow in C++ (the words of :func:`shingles`); with
    ``keep_case`` the case is kept and the split is on anything but ``[A-Za-z0-9']``."""
    for lo in range(0, len(texts), TOKEN_BATCH):
        chunk = pa.array(
            list(texts[lo : lo + TOKEN_BATCH]), type=pa.large_string(), from_pandas=True
        )
        lists = (
            pc.split_pattern_regex(chunk, _NON_WORD_CASED)
            if keep_case
            else pc.split_pattern_regex(pc.utf8_lower(chunk), _NON_WORD)
        )
        values = pc.list_flatten(lists)
        parent = pc.list_parent_indices(lists).to_numpy()
        keep = pc.greater(pc.binary_length(values), 0)
        words = pc.filter(values, keep)
        counts = np.bincount(
            parent[keep.to_numpy(zero_copy_only=False)], minlength=len(chunk)
        ).astype(np.int64)
        yield counts, words


def _word_hashes(words: pa.Array, masker: WordMasker | None = None) -> np.ndarray:
    """CRC-32 of each word, computed once per distinct word (of the token ``masker`` turns
    the distinct word into, when given)."""
    if len(words) == 0:
        return np.empty(0, dtype=np.uint32)
    encoded = pc.dictionary_encode(words)
    crc = zlib.crc32
    indices = encoded.indices.to_numpy(zero_copy_only=False)
    distinct = encoded.dictionary.to_pylist()
    if masker is not None:
        distinct = masker(distinct, np.bincount(indices, minlength=len(distinct)))
    table = np.fromiter(
        (crc(w.encode("utf-8")) for w in distinct),
        dtype=np.uint32,
        count=len(distinct),
    )
    return table[indices]


def _shingle_hashes(counts: np.ndarray, wh: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(shingles per text, their hashes) from words per text and the words' hashes."""
    n_sh = np.where(counts >= k, counts - k + 1, (counts > 0).astype(np.int64))
    total = int(n_sh.sum())
    if total == 0:
        return n_sh, np.empty(0, dtype=np.uint32)
    word_start = np.cumsum(counts) - counts
    sh_start = np.cumsum(n_sh) - n_sh
    doc = np.repeat(np.arange(len(counts)), n_sh)
    g = word_start[doc] + (np.arange(total) - sh_start[doc])  # first word of each shingle
    width = np.minimum(counts[doc], k)
    h = wh[g].copy()
    for j in range(1, k):
        use = j < width
        nxt = wh[np.where(use, g + j, g)]
        mixed = _fmix32(h * _MIX + nxt)
        h = np.where(use, mixed, h)
    return n_sh, h


def shingle_arrays(
    texts: Sequence[str | None], k: int = 3, masker: WordMasker | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(shingles per text, concatenated shingle hashes) for a column of texts; a text's
    shingles are hashed as :func:`shingle_hash` hashes each of :func:`shingles`\' strings
    (a repeated shingle may appear more than once, which no minimum notices). With a
    ``masker`` the words are read with their case and hashed as the tokens it gives
    (slots such as names, numbers and places all become one token)."""
    counts: list[np.ndarray] = []
    hashes: list[np.ndarray] = []
    for words_per_text, words in word_lists(texts, keep_case=masker is not None):
        n_sh, h = _shingle_hashes(words_per_text, _word_hashes(words, masker), k)
        counts.append(n_sh)
        hashes.append(h)
    if not counts:
        return np.zeros(0, dtype=np.int64), np.empty(0, dtype=np.uint32)
    return np.concatenate(counts), np.concatenate(hashes).astype(np.uint32, copy=False)


def signatures(
    texts: Sequence[str | None],
    params: LshParams = LshParams(),
    chunk_shingles: int = 65_536,
    masker: WordMasker | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (n x num_perm, uint32) and a mask of texts that had any shingle
    (words hashed as ``masker`` turns them, when given)."""
    counts, hashes = shingle_arrays(texts, params.shingle, masker)
    a, b = permutations(params.num_perm, params.seed)
    n = len(texts)
    sig = np.full((n, params.num_perm), np.iinfo(np.uint32).max, dtype=np.uint32)
    has = counts > 0
    docs = np.flatnonzero(has)
    if docs.size == 0:
        return sig, has
    ends = np.cumsum(counts[docs])
    starts = ends - counts[docs]
    mixed = _fmix32(hashes)
    buf = np.empty((chunk_shingles, params.num_perm), dtype=np.uint32)
    pos = 0
    while pos < docs.size:
        # Take whole documents until the chunk holds about chunk_shingles shingles.
        stop = int(np.searchsorted(ends, starts[pos] + chunk_shingles, side="right"))
        stop = max(stop, pos + 1)
        lo, hi = int(starts[pos]), int(ends[stop - 1])
        if hi - lo > len(buf):
            buf = np.empty((hi - lo, params.num_perm), dtype=np.uint32)
        phv = buf[: hi - lo]
        np.multiply(mixed[lo:hi, None], a[None, :], out=phv)
        np.add(phv, b[None, :], out=phv)
        sig[docs[pos:stop]] = np.minimum.reduceat(phv, starts[pos:stop] - lo, axis=0)
        pos = stop
    return sig, has


def band_keys(sig: np.ndarray, params: LshParams = LshParams()) -> np.ndarray:
    """One 64-bit key per (text, band): a hash of the band's rows of the signature."""
    b, r = params.bands
    n = sig.shape[0]
    keys = np.empty((n, b), dtype=np.uint64)
    for band in range(b):
        block = sig[:, band * r : (band + 1) * r].astype(np.uint64)
        h = np.full(n, np.uint64(1469598103934665603), dtype=np.uint64)
        for col in range(r):
            h = (h ^ block[:, col]) * np.uint64(1099511628211)
        keys[:, band] = h ^ np.uint64(band)
    return keys


def candidate_pairs(
    sig: np.ndarray, has: np.ndarray, params: LshParams = LshParams()
) -> np.ndarray:
    """Pairs (i, j), i < j, of texts sharing at least one LSH band: within each band's
    bucket (texts in index order) each text is paired with the next ``params.window``
    texts, so a bucket of up to ``window + 1`` texts gives all its pairs and a longer one
    stays bounded; duplicates removed, sorted. The result depends only on the texts and
    their order, never on the order a sort happens to leave equal keys in."""
    idx = np.flatnonzero(has)
    if idx.size < 2:
        return np.empty((0, 2), dtype=np.int64)
    keys = band_keys(sig[idx], params)
    n = np.int64(sig.shape[0])
    # One int64 per pair (i * n + j, i < j): the de-duplication is then a flat sort.
    codes: list[np.ndarray] = []
    for band in range(keys.shape[1]):
        order = np.argsort(keys[:, band], kind="stable")  # stable: index order in a bucket
        k = keys[order, band]
        # Only texts in buckets of two or more go further.
        same_next = k[1:] == k[:-1]
        shared = np.zeros(len(k), dtype=bool)
        shared[1:] |= same_next
        shared[:-1] |= same_next
        order, k = idx[order[shared]], k[shared]
        for step in range(1, max(1, params.window) + 1):
            if step >= len(k):
                break
            same = k[step:] == k[:-step]
            if not same.any():
                break
            left, right = order[:-step][same], order[step:][same]
            codes.append(np.minimum(left, right) * n + np.maximum(left, right))
    if not codes:
        return np.empty((0, 2), dtype=np.int64)
    flat = np.concatenate(codes)
    flat.sort()
    flat = flat[np.concatenate([[True], flat[1:] != flat[:-1]])]
    return np.stack([flat // n, flat % n], axis=1)


def estimated_jaccard(sig: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of each pair: the share of equal signature values."""
    if pairs.size == 0:
        return np.empty(0, dtype=np.float64)
    out = np.empty(len(pairs), dtype=np.float64)
    step = 200_000
    for lo in range(0, len(pairs), step):
        p = pairs[lo : lo + step]
        out[lo : lo + step] = (sig[p[:, 0]] == sig[p[:, 1]]).mean(axis=1)
    return out


def near_duplicate_pairs(
    texts: Sequence[str | None],
    params: LshParams = LshParams(),
    masker: WordMasker | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Verified near-duplicate pairs of texts (indices, sorted) and their estimated Jaccard:
    every candidate pair is checked on its own, so the pairs kept do not depend on which
    other pairs a bucket held."""
    sig, has = signatures(texts, params, masker=masker)
    pairs = candidate_pairs(sig, has, params)
    jac = estimated_jaccard(sig, pairs)
    keep = jac >= params.threshold
    return pairs[keep], jac[keep]


def exact_keys(texts: Sequence[str | None]) -> np.ndarray:
    """Per text, a group code of its normalised wording (lower case, words only, as
    :func:`shingles` reads it); -1 for texts without words."""
    codes: list[np.ndarray] = []
    seen: dict[str, int] = {}
    for words_per_text, words in word_lists(texts):
        offsets = np.concatenate([[0], np.cumsum(words_per_text)]).astype(np.int64)
        lists = pa.LargeListArray.from_arrays(pa.array(offsets, pa.int64()), words)
        joined = pc.binary_join(lists, pa.scalar(" ", pa.large_string()))
        encoded = pc.dictionary_encode(joined)
        # Dictionary codes are per batch: map each distinct wording to one global code.
        local = np.fromiter(
            (seen.setdefault(w, len(seen)) for w in encoded.dictionary.to_pylist()),
            dtype=np.int64,
            count=len(encoded.dictionary),
        )
        idx = encoded.indices.to_numpy(zero_copy_only=False)
        chunk = local[idx]
        chunk[words_per_text == 0] = -1
        codes.append(chunk)
    return np.concatenate(codes) if codes else np.empty(0, dtype=np.int64)


def exact_duplicate_pairs(texts: Sequence[str | None]) -> np.ndarray:
    """Pairs chaining texts whose normalised wording (lower case, words only) is identical:
    the exact-text baseline the benchmark compares LSH with. Each text is paired with the
    first text of its wording."""
    codes = exact_keys(texts)
    ok = np.flatnonzero(codes >= 0)
    if ok.size == 0:
        return np.empty((0, 2), dtype=np.int64)
    _, first_pos, inverse = np.unique(codes[ok], return_index=True, return_inverse=True)
    first = ok[first_pos][inverse]
    dup = first != ok
    return np.stack([first[dup], ok[dup]], axis=1).astype(np.int64)
