import math

import numpy as np

from filters.near_dup import group_identical
from filters.text_rows import Segment, TextRow, TextTable
from schemas.records import DedupItem


def test_text_table_round_trips_rows_and_selects_by_hash():
    items = [DedupItem(i, f"v{i}", True, None, None, t, d, t)
             for i, (t, d) in enumerate([("甲乙丙丁", 30.0), ("甲乙丙丁", 30.5), ("甲乙丙丁", 90.0), ("戊己", None),
                                         ("庚辛壬", 12.25)])]
    rows, _ = group_identical(items, 1.5)
    table = TextTable.of(rows)
    assert len(table) == 3 and table.rows() == rows
    assert all(isinstance(r, TextRow) and all(isinstance(s, Segment) for s in r.segments) for r in table.rows())
    wanted = np.array([rows[2].hash, 12345], dtype=np.int64)
    assert table.rows_with_hashes(wanted) == [rows[2]]
    unknown = next(r for r in rows if r.text == "戊己").segments[0]
    assert unknown.lo == -math.inf and unknown.hi == math.inf
    assert table.segment_owner().tolist() == [i for i, r in enumerate(rows) for _ in r.segments]


def test_empty_text_table():
    table = TextTable.of([])
    assert len(table) == 0 and table.rows() == [] and table.segment_owner().size == 0


def test_column_collapse_and_merge_equal_the_row_functions():
    import random

    from filters.components import components_local
    from filters.near_dup import collapse_table, merge_rows, merge_tables

    rng = random.Random(7)
    for _ in range(100):
        items = [DedupItem(i, f"v{i}", True, None, None, rng.choice("abcdefg"), rng.choice(
            [None, round(rng.uniform(10, 14), 1)]), rng.choice("abcdefg")) for i in range(rng.randint(1, 30))]
        cut = rng.randint(0, len(items))
        whole_rows, whole_edges = group_identical(items, 1.5)
        tables, edges = zip(*(collapse_table(part, 1.5) for part in (items[:cut], items[cut:])))
        merged, merge_edges = merge_tables(tables, 1.5)
        assert sorted(merged.rows()) == sorted(whole_rows)
        got_edges = [e for part in edges for e in part] + merge_edges
        assert components_local(got_edges) == components_local(whole_edges)
        rows, _ = merge_rows([row for table in tables for row in table.rows()], 1.5)
        assert sorted(rows) == sorted(whole_rows)


def test_take_and_concat_keep_segments_with_their_texts():
    items = [DedupItem(i, f"v{i}", True, None, None, t, d, t)
             for i, (t, d) in enumerate([("甲", 1.0), ("甲", 50.0), ("乙", None), ("丙", 3.0), ("丙", 3.5)])]
    rows, _ = group_identical(items, 1.5)
    table = TextTable.of(rows)
    picked = table.take(np.array([2, 0]))
    assert picked.rows() == [rows[2], rows[0]]
    assert TextTable.concat([picked, table.take(np.array([1]))]).rows() == [rows[2], rows[0], rows[1]]
