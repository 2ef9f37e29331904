"""A Bloom filter over uint64 keys, vectorised in NumPy: how an incremental run picks the few earlier records that
can possibly match its new ones without shuffling the earlier runs' keys.

The new run's dedup keys (exact-key hashes, comparison-text hashes, MinHash band keys) go in; every earlier record
whose keys are all absent is skipped before any shuffle. A false positive only sends one earlier record through
dedup for nothing, so ~1% is plenty: 10 bits and 4 probes per key. Filters of the same size merge by OR, which is
what lets workers build parts and a combiner finish it.
"""
from __future__ import annotations

import numpy as np

BITS_PER_KEY = 10
PROBES = 4
_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93], dtype=np.uint64)


def size_for(keys: int) -> int:
    """Bits (a power of two, at least 2^16) for ``keys`` keys at ~1% false positives."""
    return max(1 << 16, 1 << int(np.ceil(np.log2(max(keys, 1) * BITS_PER_KEY))))


def _positions(keys: np.ndarray, bits: int) -> np.ndarray:
    """(PROBES, n) bit positions: multiply-xorshift mixes of the key, one odd multiplier per probe."""
    keys = np.asarray(keys, dtype=np.uint64)
    with np.errstate(over="ignore"):
        mixed = keys[None, :] * _MIX[:PROBES, None]
        mixed ^= mixed >> np.uint64(31)
        mixed *= np.uint64(0x94D049BB133111EB)
        mixed ^= mixed >> np.uint64(29)
    return (mixed & np.uint64(bits - 1)).astype(np.int64)


class Bloom:
    """``bits`` must be a power of two (``size_for``)."""

    def __init__(self, bits: int, words: np.ndarray | None = None) -> None:
        if bits & (bits - 1):
            raise ValueError(f"Bloom size must be a power of two, got {bits}")
        self.bits = bits
        self.words = np.zeros(bits // 64, dtype=np.uint64) if words is None else words

    def add(self, keys: np.ndarray) -> "Bloom":
        if len(keys):
            pos = _positions(keys, self.bits).ravel()
            np.bitwise_or.at(self.words, pos >> 6, np.uint64(1) << (pos & 63).astype(np.uint64))
        return self

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """Bool per key: False = certainly never added."""
        if not len(keys):
            return np.zeros(0, dtype=bool)
        pos = _positions(keys, self.bits)
        hit = (self.words[pos >> 6] >> (pos & 63).astype(np.uint64)) & np.uint64(1)
        return hit.astype(bool).all(axis=0)

    def union(self, other: "Bloom") -> "Bloom":
        if other.bits != self.bits:
            raise ValueError("Bloom filters of different sizes do not merge")
        return Bloom(self.bits, self.words | other.words)
