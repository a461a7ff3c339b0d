"""Near-duplicate advert text: MinHash signatures and LSH banding, vectorised.

One controller posts many adverts from one template with a few words changed (name, age,
area); InfoShield (Lee, Vajiac et al., ICDE 2021) showed such templates expose organised
activity, and MinHash LSH is the standard fast way to find them. This module computes the
same signatures as :class:`datasketch.MinHash` (scheme ``affine32``: a 32-bit hash of each
word 3-shingle, the MurmurHash3 finaliser, then ``num_perm`` affine permutations taken from
datasketch with the same seed) but for a whole column at once with numpy, and bands them as
:class:`datasketch.MinHashLSH` does with the band count and width that datasketch's
``_optimal_param`` chooses for the threshold. Tests check both against datasketch itself.

Candidate pairs (adverts sharing a band) are kept only when their estimated Jaccard
similarity reaches the threshold, which removes LSH's false positives.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from datasketch import MinHash
from datasketch.lsh import _optimal_param

_WORD = re.compile(r"[a-z0-9']+")
_M1 = np.uint32(0x85EBCA6B)
_M2 = np.uint32(0xC2B2AE35)


@dataclass(frozen=True)
class LshParams:
    """MinHash and LSH settings: permutations, seed, shingle size, threshold, bands."""

    num_perm: int = 64
    seed: int = 1
    shingle: int = 3
    threshold: float = 0.5

    @property
    def bands(self) -> tuple[int, int]:
        """(b, r): datasketch's optimal band count and rows per band for the threshold."""
        b, r = _optimal_param(self.threshold, self.num_perm, 0.5, 0.5)
        return int(b), int(r)


def shingles(text: str, k: int = 3) -> set[str]:
    """Word k-shingles of lower-cased text (the whole text when shorter than k words)."""
    tokens = _WORD.findall(text.lower())
    if len(tokens) < k:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + k]) for i in range(len(tokens) - k + 1)}


def shingle_hash(shingle: str) -> int:
    """The 32-bit hash of a shingle (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(shingle.encode("utf-8"))


def shingle_hash_bytes(b: bytes) -> int:
    """The hash function handed to datasketch in tests (bytes in, 32 bits out)."""
    return zlib.crc32(b)


@cache
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters (a, b) for ``num_perm`` and ``seed``."""
    perms = MinHash(num_perm=num_perm, seed=seed).permutations
    return np.asarray(perms[0], dtype=np.uint32), np.asarray(perms[1], dtype=np.uint32)


def _fmix32(hv: np.ndarray) -> np.ndarray:
    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * _M1
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * _M2
    return hv ^ (hv >> np.uint32(16))


def shingle_arrays(texts: Sequence[str | None], k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """(counts per text, concatenated shingle hashes) for a column of texts."""
    counts = np.zeros(len(texts), dtype=np.int64)
    hashes: list[int] = []
    crc = zlib.crc32
    for i, text in enumerate(texts):
        if not text:
            continue
        hs = [crc(s.encode("utf-8")) for s in shingles(text, k)]
        counts[i] = len(hs)
        hashes.extend(hs)
    return counts, np.asarray(hashes, dtype=np.uint32)


def signatures(
    texts: Sequence[str | None], params: LshParams = LshParams(), chunk_shingles: int = 65_536
) -> tuple[np.ndarray, np.ndarray]:
    """MinHash signatures (n x num_perm, uint32) and a mask of texts that had any shingle."""
    counts, hashes = shingle_arrays(texts, params.shingle)
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
    wide = sig.astype(np.uint64)
    for band in range(b):
        block = wide[:, band * r : (band + 1) * r]
        h = np.full(n, np.uint64(1469598103934665603), dtype=np.uint64)
        for col in range(r):
            h = (h ^ block[:, col]) * np.uint64(1099511628211)
        keys[:, band] = h ^ np.uint64(band)
    return keys


def candidate_pairs(
    sig: np.ndarray, has: np.ndarray, params: LshParams = LshParams()
) -> np.ndarray:
    """Pairs (i, j), i < j, of texts sharing at least one LSH band, each bucket chained
    in index order (enough for connected components), duplicates removed."""
    idx = np.flatnonzero(has)
    if idx.size < 2:
        return np.empty((0, 2), dtype=np.int64)
    keys = band_keys(sig[idx], params)
    pairs: list[np.ndarray] = []
    for band in range(keys.shape[1]):
        order = np.argsort(keys[:, band], kind="stable")
        k = keys[order, band]
        same = k[1:] == k[:-1]
        if same.any():
            left = idx[order[:-1][same]]
            right = idx[order[1:][same]]
            pairs.append(np.stack([np.minimum(left, right), np.maximum(left, right)], axis=1))
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(pairs), axis=0)


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
    texts: Sequence[str | None], params: LshParams = LshParams()
) -> tuple[np.ndarray, np.ndarray]:
    """Verified near-duplicate pairs of texts (indices) and their estimated Jaccard."""
    sig, has = signatures(texts, params)
    pairs = candidate_pairs(sig, has, params)
    jac = estimated_jaccard(sig, pairs)
    keep = jac >= params.threshold
    return pairs[keep], jac[keep]


def exact_duplicate_pairs(texts: Sequence[str | None]) -> np.ndarray:
    """Pairs chaining texts whose normalised wording (lower case, words only) is identical:
    the exact-text baseline the benchmark compares LSH with."""
    first: dict[str, int] = {}
    pairs: list[tuple[int, int]] = []
    for i, text in enumerate(texts):
        if not text:
            continue
        key = " ".join(_WORD.findall(text.lower()))
        if not key:
            continue
        j = first.setdefault(key, i)
        if j != i:
            pairs.append((j, i))
    return np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
