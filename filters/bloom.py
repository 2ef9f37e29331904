"""A Bloom filter over uint64 keys, vectorised in NumPy: how an incremental run picks the few earlier records that
can possibly match its new ones without shuffling the earlier runs' keys.

The new run's dedup keys (exact-key hashes, comparison-text hashes, MinHash band keys) go in; every earlier record
whose keys are all absent is skipped before any shuffle. A false positive only sends one earlier record through
dedup for nothing, so ~1-2% is plenty: 10 bits per key, 4 probes within one 64-bit word. Filters of the same size merge by OR, which is
what lets workers build parts and a combiner finish it.
"""
from __future__ import annotations

import numpy as np

BITS_PER_KEY = 10
PROBES = 4  # bits set per key, all in one 64-bit word (two table lookups of two bits each)


def size_for(keys: int) -> int:
    """Bits (a power of two, at least 2^16) for ``keys`` keys at ~1-2% false positives."""
    return max(1 << 16, 1 << int(np.ceil(np.log2(max(keys, 1) * BITS_PER_KEY))))


# every pair of bit positions in a 64-bit word: two probes from 12 bits of the key by one table lookup
_TWO_BITS = np.array([(1 << (i & 63)) | (1 << (i >> 6)) for i in range(4096)], dtype=np.uint64)


def _word_and_mask(keys: np.ndarray, words: int) -> tuple[np.ndarray, np.ndarray]:
    """A key's 64-bit word and its PROBES bits in that word: one mix of the key, one memory access per lookup
    (a blocked Bloom filter: a little more false positives than independent probes, several times faster). The
    probes come from two lookups in a table of bit pairs: half the passes over the keys of four shifts and ORs,
    and the filter tests ~70M keys per million earlier records (docs/BENCHMARKS.md)."""
    with np.errstate(over="ignore"):
        mixed = np.multiply(np.asarray(keys, dtype=np.uint64), np.uint64(0x9E3779B97F4A7C15), dtype=np.uint64)
        scratch = mixed >> np.uint64(29)
        mixed ^= scratch
    word = np.bitwise_and(mixed, np.uint64(words - 1), out=scratch).view(np.int64)
    mask = _TWO_BITS[(mixed >> np.uint64(40)) & np.uint64(4095)]
    mask |= _TWO_BITS[np.right_shift(mixed, np.uint64(52), out=mixed).view(np.int64)]
    return word, mask


class Bloom:
    """``bits`` must be a power of two (``size_for``)."""

    def __init__(self, bits: int, words: np.ndarray | None = None) -> None:
        if bits & (bits - 1):
            raise ValueError(f"Bloom size must be a power of two, got {bits}")
        self.bits = bits
        self.words = np.zeros(bits // 64, dtype=np.uint64) if words is None else words

    def add(self, keys: np.ndarray) -> "Bloom":
        if len(keys):
            word, mask = _word_and_mask(keys, len(self.words))
            np.bitwise_or.at(self.words, word, mask)
        return self

    def contains(self, keys: np.ndarray) -> np.ndarray:
        """Bool per key: False = certainly never added."""
        if not len(keys):
            return np.zeros(0, dtype=bool)
        word, mask = _word_and_mask(keys, len(self.words))
        found = self.words[word]
        found &= mask
        return found == mask

    def union(self, other: "Bloom") -> "Bloom":
        if other.bits != self.bits:
            raise ValueError("Bloom filters of different sizes do not merge")
        return Bloom(self.bits, self.words | other.words)
