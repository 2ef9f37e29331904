"""The Bloom filter that picks an earlier run's candidate records: no false negatives, few false positives,
parts merge by OR."""
import numpy as np
import pytest

from filters.bloom import Bloom, size_for


def test_every_added_key_is_found_and_few_others():
    rng = np.random.default_rng(0)
    keys = rng.integers(0, 2**63, 200_000, dtype=np.int64).astype(np.uint64)
    bloom = Bloom(size_for(len(keys))).add(keys)
    assert bloom.contains(keys).all()
    others = rng.integers(0, 2**63, 200_000, dtype=np.int64).astype(np.uint64)
    assert bloom.contains(others).mean() < 0.03


def test_parts_merge_by_or_and_sizes_must_agree():
    keys = np.arange(10_000, dtype=np.uint64) * np.uint64(7919)
    whole = Bloom(1 << 18).add(keys)
    merged = Bloom(1 << 18).add(keys[:5000]).union(Bloom(1 << 18).add(keys[5000:]))
    assert np.array_equal(whole.words, merged.words)
    assert not Bloom(1 << 18).contains(keys).any()
    with pytest.raises(ValueError):
        Bloom(1 << 18).union(Bloom(1 << 19))
    with pytest.raises(ValueError):
        Bloom(1000)
    assert size_for(0) == 1 << 16 and size_for(1_000_000) == 1 << 24
