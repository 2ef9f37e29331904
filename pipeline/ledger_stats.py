"""What an audit needs from a ledger, computed file by file in Arrow: no Python object per row, memory bounded by
one ledger file plus (groups x sample) rows, whatever the ledger's size.

Two passes: the first finds each score's range (for fixed histogram bins) and counts the funnel and categories;
the second bins the scores and keeps, per (stage, masked reason) group, the ``sample`` rows with the smallest
seeded hash of their record id: the same sample whatever the file order, without holding the group.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipeline.manifest import funnel_from_counts, ledger_files

BINS = 40
MASK = r"\d+(?:\.\d+)?|\"[^\"]*\"|'[^']*'"  # numbers and quoted terms: one group per kind of reason


def _read(path: str, wanted: list[str]) -> pa.Table:
    with FileSystems.open(path) as handle:
        file = pq.ParquetFile(handle)
        present = [c for c in wanted if c in file.schema_arrow.names]
        table = file.read(columns=present)
    for column in wanted:  # ledgers of older runs may lack newer columns
        if column not in table.column_names:
            table = table.append_column(column, pa.nulls(table.num_rows))
    return table


def _counts(table: pa.Table, keys: list[str]) -> Counter:
    grouped = table.select(keys).group_by(keys).aggregate([([], "count_all")])
    return Counter(dict(zip(zip(*(grouped.column(k).to_pylist() for k in keys)),
                            grouped.column("count_all").to_pylist())))


def _sample_keys(record_ids: np.ndarray, seed: int) -> np.ndarray:
    x = record_ids.astype(np.uint64) ^ np.uint64((seed * 0x9E3779B97F4A7C15) & ((1 << 64) - 1))
    with np.errstate(over="ignore"):
        x = (x ^ (x >> np.uint64(33))) * np.uint64(0xFF51AFD7ED558CCD)
        x = (x ^ (x >> np.uint64(33))) * np.uint64(0xC4CEB9FE1A85EC53)
    return x ^ (x >> np.uint64(33))


def _rejected(table: pa.Table, stage: str | None, reason: str | None, category: str | None) -> pa.Table:
    mask = pc.not_equal(table.column("status"), "kept")
    if stage:
        mask = pc.and_(mask, pc.equal(table.column("stage"), stage))
    if reason:
        mask = pc.and_(mask, pc.match_substring(pc.fill_null(table.column("reason"), ""), reason))
    if category:
        mask = pc.and_(mask, pc.equal(table.column("category"), category))
    table = table.filter(pc.fill_null(mask, False))
    return table.append_column("group", pc.replace_substring_regex(pc.fill_null(table.column("reason"), ""),
                                                                   MASK, "N"))


def ledger_stats(ledger_dir: str, histogram_columns: list[str], sample_columns: list[str],
                 stage: str | None = None, reason: str | None = None, category: str | None = None,
                 sample: int = 5, seed: int = 0) -> dict[str, Any]:
    """Funnel, per-column histograms (counts, edges, min, max, first non-null value), categories before/after, and
    sampled rejected rows per (stage, masked reason) with each group's size."""
    paths = ledger_files(ledger_dir)
    if not paths:
        raise FileNotFoundError(f"no ledger files under {ledger_dir}")
    base = ["record_id", "status", "stage", "reason", "category"]
    funnel_counts, categories = Counter(), Counter()
    ranges: dict[str, list[float]] = {}
    firsts: dict[str, Any] = {}
    for path in paths:
        table = _read(path, base + histogram_columns)
        funnel_counts += _counts(table, ["status", "stage"])
        categories += _counts(table, ["category", "status"])
        for column in histogram_columns:
            values = pc.drop_null(table.column(column))
            if not len(values) or not pa.types.is_floating(values.type) and not pa.types.is_integer(values.type):
                continue
            low, high = pc.min_max(values).values()
            seen = ranges.setdefault(column, [low.as_py(), high.as_py()])
            seen[0], seen[1] = min(seen[0], low.as_py()), max(seen[1], high.as_py())
            firsts.setdefault(column, values[0].as_py())
    edges = {c: np.linspace(lo, hi if hi > lo else lo + 1.0, BINS + 1) for c, (lo, hi) in ranges.items()}
    histograms = {c: np.zeros(BINS, dtype=np.int64) for c in edges}
    group_sizes: Counter = Counter()
    kept_rows: pa.Table | None = None
    for path in paths:
        table = _read(path, sorted(set(base + histogram_columns + sample_columns)))
        for column, bins in edges.items():
            values = pc.drop_null(table.column(column)).to_numpy(zero_copy_only=False).astype(np.float64)
            histograms[column] += np.histogram(values, bins=bins)[0]
        rejected = _rejected(table, stage, reason, category)
        if not rejected.num_rows:
            continue
        group_sizes += _counts(rejected, ["stage", "group"])
        keys = _sample_keys(rejected.column("record_id").to_numpy(zero_copy_only=False), seed)
        rejected = rejected.append_column("sample_key", pa.array(keys, type=pa.uint64()))
        kept_rows = _smallest_per_group(rejected if kept_rows is None else pa.concat_tables([kept_rows, rejected]),
                                        sample)
    samples = []
    for (st, group), total in sorted(group_sizes.items(), key=lambda g: (-g[1], str(g[0][0]), g[0][1])):
        rows = kept_rows.filter(pc.and_(pc.equal(kept_rows.column("stage"), st),
                                        pc.equal(kept_rows.column("group"), group))).sort_by("record_id")
        samples.append({"stage": st, "reason": group, "total": total,
                        "rows": rows.select(sample_columns).to_pylist()})
    before_by_category: Counter = Counter()
    after_by_category: Counter = Counter()
    for (name, status), n in categories.items():
        if status != "error":
            before_by_category[name] += n
        if status == "kept":
            after_by_category[name] += n
    return {"funnel": funnel_from_counts(funnel_counts),
            "histograms": {c: {"counts": histograms[c], "edges": edges[c], "min": ranges[c][0], "max": ranges[c][1],
                               "first": firsts[c]} for c in edges},
            "categories": [(name, n, after_by_category.get(name, 0)) for name, n in before_by_category.most_common()],
            "samples": samples}


def _smallest_per_group(table: pa.Table, k: int) -> pa.Table:
    """The ``k`` rows with the smallest sample keys in each (stage, group), vectorised."""
    table = table.sort_by([("stage", "ascending"), ("group", "ascending"), ("sample_key", "ascending")])
    joined = pc.binary_join_element_wise(pc.fill_null(table.column("stage"), ""), table.column("group"), "\x1f")
    codes = pc.dictionary_encode(joined.combine_chunks()).indices.to_numpy(zero_copy_only=False)
    position = np.arange(len(codes))
    starts = np.maximum.accumulate(np.where(np.r_[True, codes[1:] != codes[:-1]], position, 0))
    return table.take(pa.array(np.flatnonzero(position - starts < k), type=pa.int64()))
