import numpy as np

from filters.components import components_local
from filters.visual_dup import (VisualDupConfig, band_keys, bucket_edges, candidate_probability, duplicate_matrix,
                                entry_keys, mean_embedding)
from schemas.records import VisualItem

CFG = VisualDupConfig()


def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def _items(vectors, hashes=None, durations=None):
    return [VisualItem(i, f"v{i}", v, 30.0 if durations is None else durations[i],
                       None if hashes is None else hashes[i]) for i, v in enumerate(vectors)]


def test_reencodes_cluster_and_distinct_videos_stay_apart():
    rng = np.random.default_rng(0)
    base = _unit(rng.standard_normal((50, 64)))
    copies = _unit(base[:10] + 0.02 * rng.standard_normal((10, 64)))  # re-encodes: cosine ~0.99
    items = _items(np.vstack([base, copies]).astype(np.float32), durations=[float(i % 50) * 3 for i in range(60)])
    edges = bucket_edges(entry_keys(items, CFG), CFG)
    assert {(a[0], b[0]) for a, b in edges} == {(i, 50 + i) for i in range(10)}
    labels = components_local(edges)
    assert {rep[0] for node, rep in labels.items() if node[0] >= 50} == set(range(10))


def test_mean_embedding_and_curve():
    frames = _unit(np.random.default_rng(1).standard_normal((8, 16)))
    assert abs(np.linalg.norm(mean_embedding(frames)) - 1) < 1e-6
    assert candidate_probability(0.95, CFG) > 0.99 and candidate_probability(0.5, CFG) < 0.3
    assert band_keys(frames, CFG).shape == (8, CFG.bands)


def test_bucket_edges_verify_each_bucket():
    a = np.array([1.0, 0.0], np.float32)
    b = np.array([0.999, 0.0447], np.float32)
    c = np.array([0.0, 1.0], np.float32)
    item = {n: VisualItem(i, n, v, d) for i, (n, v, d) in enumerate(
        [("a", a, 30.0), ("b", b, 30.4), ("c", c, 30.0), ("d", a, 45.0)], start=1)}
    entries = [(5, item["a"]), (5, item["b"]), (5, item["c"]), (6, item["c"]),
               (5, item["d"])]  # d looks like a but is 15 s longer: another video
    assert bucket_edges(entries, CFG) == [((1, "a"), (2, "b"))]


def _hashes(rng, frames=8):
    return rng.integers(1, 2**63, frames, dtype=np.uint64)


def _flip(hashes, bits, rng):
    out = hashes.copy()
    for i in range(len(out)):
        for bit in rng.choice(64, bits, replace=False):
            out[i] ^= np.uint64(1) << np.uint64(bit)
    return out


def test_hashes_pair_videos_the_embedding_misses_but_need_most_frames():
    rng = np.random.default_rng(3)
    vectors = _unit(rng.standard_normal((4, 32))).astype(np.float32)  # unrelated embeddings: cosine ~0
    original = _hashes(rng)
    reencode = _flip(original, 3, rng)                         # a few bits on every frame
    overlap = np.concatenate([original[:3], _hashes(rng, 5)])  # shares 3 of 8 frames only
    other = _hashes(rng)
    items = _items(vectors, [original, reencode, overlap, other])
    same = duplicate_matrix(items, CFG)
    assert same[0, 1] and not same[0, 2] and not same[0, 3] and not same[1, 3]
    edges = bucket_edges(entry_keys(items, CFG), CFG)
    assert edges == [((0, "v0"), (1, "v1"))]
    off = VisualDupConfig(hashes=False)
    assert bucket_edges(entry_keys(items, off), off) == []


def test_flat_frames_and_huge_hash_buckets_never_pair():
    rng = np.random.default_rng(4)
    vectors = _unit(rng.standard_normal((3, 16))).astype(np.float32)
    flat = np.zeros(8, np.uint64)  # black frames: no hash
    assert not duplicate_matrix(_items(vectors[:2], [flat, flat]), CFG)[0, 1]
    logo = _hashes(rng)  # one card repeated by many videos: the bucket is over max_bucket
    small = VisualDupConfig(max_bucket=2)
    items = _items(vectors, [logo, logo, logo])
    assert bucket_edges(entry_keys(items, small), small) == []
    assert len(bucket_edges(entry_keys(items, CFG), CFG)) == 3
