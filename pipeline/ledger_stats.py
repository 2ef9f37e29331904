"""What an audit needs from a ledger, computed file by file in Arrow: no Python object per row, memory bounded by
one ledger file plus (groups x sample) rows, whatever the ledger's size.

Two passes: the first finds each score's range (for fixed histogram bins) and counts the funnel and categories;
the second bins the scores and keeps, per (stage, reason kind) group, the ``sample`` rows with the smallest
seeded hash of their record id: the same sample whatever the file order, without holding the group. A third pass,
only when sampled duplicates need it, looks up the records they duplicate (title and id).

A reason's kind is the reason with what varies from record to record blanked: standalone numbers, quoted terms,
paths and the id after "as"/"of" (so "duration 3.5s < 10s" and "duration 4s < 10s" are one kind, and "mp4" or
"UTF-8" are left alone). The kind is only a grouping key: a group is shown with a real reason of its own.
"""
from __future__ import annotations

from collections import Counter
from typing import Any, Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipeline.manifest import funnel_from_counts, ledger_files

BINS = 40
KIND = [  # (RE2 pattern, replacement), applied in order; RE2 has no lookbehind, hence the captured prefixes
    (r"\"[^\"]*\"|'[^']*'", "…"),                                   # quoted terms
    (r"\S*/\S*", "…"),                                              # paths and URIs
    (r"( as | of )[^\s()]+", r"\1…"),                                # the record a duplicate names
    (r"(^|[^\w.\-])[+-]?\d+(?:\.\d+)?(?:e[+-]?\d+)?", r"\1…"),      # standalone numbers (not mp4, UTF-8)
]


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
    kind = pc.fill_null(table.column("reason"), "")
    for pattern, replacement in KIND:
        kind = pc.replace_substring_regex(kind, pattern, replacement)
    return table.append_column("group", kind)


def ledger_stats(ledger_dir: str, histogram_columns: list[str], sample_columns: list[str],
                 stage: str | None = None, reason: str | None = None, category: str | None = None,
                 sample: int = 5, seed: int = 0, clip: dict[str, tuple[float, float]] | None = None,
                 on_file: Callable[[str, int, int], None] | None = None) -> dict[str, Any]:
    """Funnel, per-column histograms (counts, edges, min, max, first non-null value), categories before/after, and
    sampled rejected rows per (stage, reason kind) with each group's size and, for duplicates, the title of the
    record kept instead (``dup_of_title``). ``clip`` bounds a column's bins (heavy tails: values beyond fall into
    the first or last bin). ``on_file(pass name, files done, files)`` reports progress."""
    clip = clip or {}
    on_file = on_file or (lambda *_: None)
    paths = ledger_files(ledger_dir)
    if not paths:
        raise FileNotFoundError(f"no ledger files under {ledger_dir}")
    base = ["record_id", "status", "stage", "reason", "category"]
    funnel_counts, categories = Counter(), Counter()
    ranges: dict[str, list[float]] = {}
    firsts: dict[str, Any] = {}
    for done, path in enumerate(paths):
        on_file("counting", done, len(paths))
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
    for column, (low, high) in clip.items():
        if column in ranges:
            ranges[column] = [ranges[column][0], ranges[column][1], max(ranges[column][0], low),
                              min(ranges[column][1], high)]
    edges = {c: np.linspace(r[-2], r[-1] if r[-1] > r[-2] else r[-2] + 1.0, BINS + 1) for c, r in ranges.items()}
    histograms = {c: np.zeros(BINS, dtype=np.int64) for c in edges}
    group_sizes: Counter = Counter()
    kept_rows: pa.Table | None = None
    for done, path in enumerate(paths):
        on_file("binning and sampling", done, len(paths))
        table = _read(path, sorted(set(base + histogram_columns + sample_columns)))
        for column, bins in edges.items():
            values = pc.drop_null(table.column(column)).to_numpy(zero_copy_only=False).astype(np.float64)
            histograms[column] += np.histogram(np.clip(values, bins[0], bins[-1]), bins=bins)[0]
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
        rows = rows.select(sample_columns).to_pylist()
        samples.append({"stage": st, "kind": group, "reason": rows[0]["reason"] if rows else group, "total": total,
                        "rows": rows})
    _add_dup_titles(paths, [row for group in samples for row in group["rows"]])
    before_by_category: Counter = Counter()
    after_by_category: Counter = Counter()
    for (name, status), n in categories.items():
        if status != "error":
            before_by_category[name] += n
        if status == "kept":
            after_by_category[name] += n
    return {"funnel": funnel_from_counts(funnel_counts),
            "histograms": {c: {"counts": histograms[c], "edges": edges[c], "min": ranges[c][0], "max": ranges[c][1],
                               "clipped": len(ranges[c]) > 2 and (ranges[c][2] > ranges[c][0]
                                                                  or ranges[c][3] < ranges[c][1]),
                               "first": firsts[c]} for c in edges},
            "categories": [(name, n, after_by_category.get(name, 0)) for name, n in before_by_category.most_common()],
            "samples": samples}


def _add_dup_titles(paths: list[str], rows: list[dict]) -> None:
    """``dup_of_title`` on sampled rows that name a kept duplicate: one filtered pass, only when some do."""
    wanted = sorted({row["dup_of"] for row in rows if row.get("dup_of")})
    if not wanted:
        return
    titles: dict[str, str] = {}
    lookup = pa.array(wanted, type=pa.string())
    for path in paths:
        table = _read(path, ["video_id", "title", "title_raw"])
        table = table.filter(pc.fill_null(pc.is_in(table.column("video_id"), value_set=lookup), False))
        for row in table.to_pylist():
            titles.setdefault(row["video_id"], row["title"] or row["title_raw"])
    for row in rows:
        if row.get("dup_of"):
            row["dup_of_title"] = titles.get(row["dup_of"])


def _smallest_per_group(table: pa.Table, k: int) -> pa.Table:
    """The ``k`` rows with the smallest sample keys in each (stage, group), vectorised."""
    table = table.sort_by([("stage", "ascending"), ("group", "ascending"), ("sample_key", "ascending")])
    joined = pc.binary_join_element_wise(pc.fill_null(table.column("stage"), ""), table.column("group"), "\x1f")
    codes = pc.dictionary_encode(joined.combine_chunks()).indices.to_numpy(zero_copy_only=False)
    position = np.arange(len(codes))
    starts = np.maximum.accumulate(np.where(np.r_[True, codes[1:] != codes[:-1]], position, 0))
    return table.take(pa.array(np.flatnonzero(position - starts < k), type=pa.int64()))
