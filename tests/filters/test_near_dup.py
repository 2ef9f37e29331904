import numpy as np

import math

from filters.lsh_keys import LshEntries, _cells_of_rows, compatible, duration_cells, sketch, unique_rows
from filters.near_dup import bucket_pairs, group_identical, link_segments, similar
from pipeline.config import NearDupConfig
from schemas.records import DedupItem

CFG = NearDupConfig()


def member(text: str, record_id: int, video_id: str, duration: float | None) -> DedupItem:
    return DedupItem(record_id, video_id, True, None, None, text, duration, text)


def test_similar_accepts_edits_and_affixes_and_keeps_numbers_apart():
    assert similar("王者荣耀李白连招教学", "王者荣耀李白连招教程", CFG) == "edit distance 1"
    assert similar("王者荣耀李白连招教学", "王者荣耀李白连招教学高清版", CFG) == "suffix 高清版"
    assert similar("王者荣耀李白连招教学", "官方正版王者荣耀李白连招教学", CFG) == "prefix 官方正版"
    assert similar("甄嬛传第3集", "甄嬛传第4集", CFG) is None
    assert similar("今天做个红烧肉", "周末去海边玩", CFG) is None
    assert similar("猫咪", "狗狗", CFG) is None  # too short to judge


def test_group_identical_chains_by_duration_linearly():
    members = [member("搞笑视频", i, f"v{i}", 30.0 + (i % 3) * 0.5) for i in range(100_000)]
    members += [member("搞笑视频", 10**6, "far", 90.0), member("别的", 5, "x", 30.0)]
    rows, edges = group_identical(members, 1.5)
    by_text = {text: segs for _, text, segs in rows}
    assert len(by_text["搞笑视频"]) == 2          # one chain near 30 s, one lone record at 90 s
    assert len(edges) == 100_000 - 1               # every copy points at the representative
    assert {rep for _, rep in edges} == {(0, "v0")}


def test_link_segments_uses_duration_ranges():
    a = [((1, "a"), 30.0, 31.0)]
    b = [((2, "b"), 32.4, 33.0), ((3, "c"), 60.0, 60.0)]
    assert link_segments(a, b, 1.5) == [((1, "a"), (2, "b"))]


def test_bucket_pairs_dedupes_filters_by_sketch_and_bounds_large_buckets():
    texts = {10: "王者荣耀李白连招教学", 11: "王者荣耀李白连招教学", 12: "今天做个红烧肉", 13: "今天做个红烧肉吧",
             14: "周末去海边露营", 15: "老爸的拿手菜糖醋排骨"}
    keys = np.array([1, 1, 1, 2, 2, 3, 3], dtype=np.uint64)
    hashes = np.array([10, 11, 11, 12, 13, 14, 15], dtype=np.int64)
    sketches = np.array([sketch(texts[h]) for h in hashes.tolist()], dtype=np.uint64)
    index = np.arange(len(keys), dtype=np.uint32)
    one_piece = bucket_pairs([LshEntries(keys, index, hashes, sketches)], CFG)
    assert {tuple(p) for p in one_piece.tolist()} == {(10, 11), (12, 13)}  # (14, 15) share a bucket, not characters
    # the same entries arriving in two pieces (two text tables) give the same pairs
    halves = [LshEntries(keys[:4], index[:4], hashes[:4], sketches[:4]),
              LshEntries(keys[4:], index[:3], hashes[4:], sketches[4:])]
    assert np.array_equal(bucket_pairs(halves, CFG), one_piece)
    n = 1000
    big = bucket_pairs([LshEntries(np.zeros(n, dtype=np.uint64), np.arange(n, dtype=np.uint32),
                                   np.arange(n, dtype=np.int64), np.zeros(n, dtype=np.uint64))],
                       NearDupConfig(max_bucket_texts=10))
    assert len(big) == sum(min(9, n - 1 - i) for i in range(n))

def test_bucket_pairs_never_pairs_two_earlier_texts():
    """Incremental curation: two texts of earlier runs' records were both kept there; only pairs with a new text
    are verified, whichever piece (collapsed rows or earlier band entries) each text came in."""
    texts = {10: "王者荣耀李白连招教学", 11: "王者荣耀李白连招教程", 12: "王者荣耀李白连招教学吧"}
    keys = np.ones(3, dtype=np.uint64)
    hashes = np.array([10, 11, 12], dtype=np.int64)
    sketches = np.array([sketch(texts[h]) for h in hashes.tolist()], dtype=np.uint64)
    index = np.arange(3, dtype=np.uint32)
    all_new = bucket_pairs([LshEntries(keys, index, hashes, sketches)], CFG)
    assert {tuple(p) for p in all_new.tolist()} == {(10, 11), (10, 12), (11, 12)}
    earlier = np.array([True, True, False])
    pairs = bucket_pairs([LshEntries(keys, index, hashes, sketches, earlier)], CFG)
    assert {tuple(p) for p in pairs.tolist()} == {(10, 12), (11, 12)}
    pieces = [LshEntries(keys[:2], index[:2], hashes[:2], sketches[:2], earlier[:2]),
              LshEntries(keys[2:], index[:1], hashes[2:], sketches[2:])]
    assert np.array_equal(bucket_pairs(pieces, CFG), pairs)



def test_unique_rows_equals_numpy_unique_by_row():
    rng = np.random.default_rng(0)
    for _ in range(200):
        rows = rng.integers(-5, 5, size=(int(rng.integers(0, 50)), 2))
        assert np.array_equal(unique_rows(rows), np.unique(rows, axis=0).reshape(-1, 2))


def test_sketch_filter_never_drops_a_pair_that_verifies():
    import random
    rng = random.Random(5)
    alphabet = "王者荣耀李白连招教学今天做个红烧肉周末去海边露营老爸的拿手菜糖醋排骨高清版"
    for _ in range(2000):
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(4, 20)))
        b = list(a)
        for _ in range(rng.randint(1, 2)):
            op, pos = rng.choice("sid"), rng.randrange(len(b))
            if op == "s":
                b[pos] = rng.choice(alphabet)
            elif op == "i":
                b.insert(pos, rng.choice(alphabet))
            elif len(b) > 1:
                del b[pos]
        b = "".join(b) + ("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8))) if rng.random() < 0.3 else "")
        if similar(a, b, CFG):
            assert compatible(np.array([sketch(a)], dtype=np.uint64), np.array([sketch(b)], dtype=np.uint64), CFG)[0]


def test_vectorised_cells_match_reference_and_nearby_durations_share_a_cell():
    rows = [(1, "a", [((1, "a"), 30.0, 30.0)]), (2, "b", [((2, "b"), 31.4, 31.4)]),
            (3, "c", [((3, "c"), 10.0, 14.0), ((4, "d"), -math.inf, math.inf)])]
    owner, cells = _cells_of_rows(rows, 1.5)
    for i, row in enumerate(rows):
        assert sorted(cells[owner == i].tolist()) == duration_cells(row[2], 1.5)
    assert set(duration_cells(rows[0][2], 1.5)) & set(duration_cells(rows[1][2], 1.5))
    assert not set(duration_cells(rows[0][2], 1.5)) & set(duration_cells([((9, "z"), 34.0, 34.0)], 1.5))


def test_merging_per_batch_collapses_equals_one_collapse_of_all_records():
    import random

    from filters.components import components_local
    from filters.near_dup import group_identical, merge_rows

    rng = random.Random(4)
    for _ in range(200):
        members = [member(rng.choice("ab"), i, f"v{i}", rng.choice([None, round(rng.uniform(10, 20), 1)]))
                   for i in range(rng.randint(1, 40))]
        whole_rows, whole_edges = group_identical(members, 1.5)
        cuts = sorted(rng.sample(range(1, len(members) + 1), min(len(members), rng.randint(1, 6))))
        batches = [members[a:b] for a, b in zip([0] + cuts, cuts) if b > a] + [members[cuts[-1]:]]
        parts = [group_identical(batch, 1.5) for batch in batches]
        rows, edges = merge_rows([row for part in parts for row in part[0]], 1.5)
        edges += [edge for part in parts for edge in part[1]]
        assert rows == whole_rows
        assert components_local(edges) == components_local(whole_edges)


def test_window_pairs_are_every_close_pair_of_each_bucket():
    from filters.near_dup import _window_pairs
    rng = np.random.default_rng(0)
    for window in (2, 3, 5, 400):
        sizes = rng.integers(1, 30, size=200)
        starts = np.r_[0, np.cumsum(sizes)[:-1]]
        first, second = _window_pairs(starts, sizes, window)
        expected = {(s + i, s + j) for s, n in zip(starts.tolist(), sizes.tolist())
                    for i in range(n) for j in range(i + 1, n) if j - i < window}
        assert len(first) == len(expected)
        assert set(zip(first.tolist(), second.tolist())) == expected
