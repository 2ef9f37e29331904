"""Deletion-neighbourhood keys: every pair of texts within one edit shares a key, with certainty.

Why beside MinHash LSH: LSH finds a one-character edit of a 13-character title with probability ~0.9999 per pair,
which sounds like plenty until reposts of reposts form chains: a chain of 100 titles needs all 99 links, and a
corpus of such chains then keeps a few chains in two pieces. A text's deletion neighbourhood (the text itself
and the text with each one character removed) is shared by any two texts one substitution, insertion or deletion
apart, so those pairs always meet in a bucket; LSH still finds the two-edit and affix pairs.

The keys are polynomial hashes mod 2^64 computed for a whole batch at once with NumPy (no Python loop per
character): for text c_0..c_{L-1}, H = sum c_j B^j; deleting position i gives P_i + (H - P_{i+1}) B^-1 with P the
prefix sums. A hash collision only adds a candidate pair, which verification then rejects.
"""
from __future__ import annotations

import numpy as np

_BASE = np.uint64(0x100000001B3)                 # odd, so invertible mod 2^64
_BASE_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_LENGTH_SALT = np.uint64(0x9FB21C651E98DF25)


def _fmix(x: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(33))
        x = x * np.uint64(0xFF51AFD7ED558CCD)
        x = x ^ (x >> np.uint64(33))
        x = x * np.uint64(0xC4CEB9FE1A85EC53)
        return x ^ (x >> np.uint64(33))


def deletion_keys(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(owner index, key) for each non-empty text and each one-character deletion of it (len + 1 keys per text)."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    present = np.flatnonzero(lengths)
    lengths = lengths[present]
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.uint64)
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    starts = np.cumsum(lengths) - lengths
    ends = starts + lengths - 1
    local = np.repeat(np.arange(len(lengths)), lengths)
    position = np.arange(total) - starts[local]
    powers = np.ones(int(lengths.max()), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(1, len(powers)):
            powers[j] = powers[j - 1] * _BASE
        terms = codes * powers[position]
        inclusive = np.cumsum(terms, dtype=np.uint64)
        prefix_incl = inclusive - (inclusive[starts] - terms[starts])[local]   # P_{i+1}
        prefix_excl = prefix_incl - terms                                      # P_i
        full = prefix_incl[ends]                                               # H
        deleted = prefix_excl + (full[local] - prefix_incl) * _BASE_INV
        keys = np.concatenate([deleted + (lengths[local] - 1).astype(np.uint64) * _LENGTH_SALT,
                               full + lengths.astype(np.uint64) * _LENGTH_SALT])
    return present[np.concatenate([local, np.arange(len(lengths))])], _fmix(keys)
