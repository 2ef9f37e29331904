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
