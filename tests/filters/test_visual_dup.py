import numpy as np

from filters.components import components_local
from filters.visual_dup import (VisualDupConfig, band_keys, bucket_edges, candidate_probability, mean_embedding,
                                verified_pairs)

CFG = VisualDupConfig()


def _unit(v):
    return v / np.linalg.norm(v, axis=-1, keepdims=True)


def test_reencodes_cluster_and_distinct_videos_stay_apart():
    rng = np.random.default_rng(0)
    base = _unit(rng.standard_normal((50, 64)))
    copies = _unit(base[:10] + 0.02 * rng.standard_normal((10, 64)))  # re-encodes: cosine ~0.99
    vectors = np.vstack([base, copies]).astype(np.float32)
    ids = np.arange(60, dtype=np.int64)
    pairs = verified_pairs(band_keys(vectors, CFG), ids, vectors, CFG)
    found = {(a, b) for a, b, _ in pairs}
    assert found == {(i, 50 + i) for i in range(10)}
    labels = components_local([((a, str(a)), (b, str(b))) for a, b, _ in pairs])
    assert {rep[0] for node, rep in labels.items() if node[0] >= 50} == set(range(10))


def test_mean_embedding_and_curve():
    frames = _unit(np.random.default_rng(1).standard_normal((8, 16)))
    assert abs(np.linalg.norm(mean_embedding(frames)) - 1) < 1e-6
    assert candidate_probability(0.95, CFG) > 0.99 and candidate_probability(0.5, CFG) < 0.3


def test_bucket_edges_verify_each_bucket():
    a = np.array([1.0, 0.0], np.float32)
    b = np.array([0.999, 0.0447], np.float32)
    c = np.array([0.0, 1.0], np.float32)
    entries = [(5, 1, "a", a, 30.0), (5, 2, "b", b, 30.4), (5, 3, "c", c, 30.0), (6, 3, "c", c, 30.0),
               (5, 4, "d", a, 45.0)]  # d looks like a but is 15 s longer: another video
    assert bucket_edges(entries, CFG) == [((1, "a"), (2, "b"))]
