"""The ledger sink: join rows with dedup decisions and cluster labels, decide the final status, write Parquet.

Rows, exact-dup decisions and labels are co-partitioned by record_id, so the join is one CoGroupByKey of batches.
Each partition becomes one file ``ledger/part-PPPPP-of-NNNNN.parquet``, rows sorted by (video_id, record_id),
written to a temporary name and renamed, so a retried bundle never leaves half a file and two runs write the same
bytes.
"""
from __future__ import annotations

from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from filters.exact_dup import KEY_ORDER
from schemas.ledger import to_table
from transforms.batching import by_partition, first, unpacked

_RANK = {kind: i for i, kind in enumerate(KEY_ORDER)}


def _rows_keyed(rows: list[dict], partitions: int):
    return by_partition(rows, lambda row: row["record_id"], partitions)


def _pairs_keyed(pairs: list[tuple], partitions: int):
    return by_partition(pairs, first, partitions)


def finalize(row: dict[str, Any], exact: dict | None, rep: tuple | None) -> dict[str, Any]:
    """Apply dedup outcomes in stage order; whatever is still undecided is kept."""
    if row.get("status") == "error":
        return row
    if exact is not None and (exact["dup_key"] == "video_id" or row.get("status") is None):
        row.update(status="rejected", stage="exact_dup", reason=exact["reason"], dup_key=exact["dup_key"],
                   dup_of=exact["dup_of"])
    if rep is not None:
        row["near_dup_cluster"] = rep[0]
        if row.get("status") is None and rep[0] != row["record_id"]:
            row.update(status="rejected", stage="near_dup", dup_of=rep[1],
                       reason=f"near-duplicate of {rep[1]} (cluster {rep[0]})")
    if row.get("status") is None:
        row.update(status="kept", stage=None, reason=None)
    return row


def write_table(table: pa.Table, path: str) -> None:
    """Write a Parquet file through Beam filesystems via a temporary name (local paths, gs://, s3://...)."""
    tmp = f"{path}.tmp"
    with FileSystems.create(tmp) as handle:
        pq.write_table(table, handle, compression="zstd")
    if FileSystems.exists(path):
        FileSystems.delete([path])
    FileSystems.rename([tmp], [path])


def _merge_and_write(joined, directory: str, partitions: int):
    partition, groups = joined
    exact: dict[int, dict] = {}
    for chunk in unpacked(groups["exact"]):
        for rid, decision in chunk:  # a record can be a later copy under several keys, each in its own shard
            if rid not in exact or _RANK[decision["dup_key"]] < _RANK[exact[rid]["dup_key"]]:
                exact[rid] = decision
    labels = {rid: rep for chunk in unpacked(groups["labels"]) for rid, rep in chunk}
    rows = [finalize(row, exact.get(row["record_id"]), labels.get(row["record_id"]))
            for chunk in unpacked(groups["rows"]) for row in chunk]
    rows.sort(key=lambda row: (row.get("video_id") or "", row["record_id"]))
    path = FileSystems.join(directory, f"part-{partition:05d}-of-{partitions:05d}.parquet")
    write_table(to_table(rows), path)
    yield path, len(rows)


class WriteLedger(beam.PTransform):
    """{rows, exact, labels} -> ledger files; outputs (path, row count) per file."""

    def __init__(self, directory: str, partitions: int) -> None:
        super().__init__()
        self.directory = directory
        self.partitions = partitions

    def expand(self, inputs):
        parts = self.partitions
        keyed = {
            "rows": inputs["rows"] | "KeyRows" >> beam.FlatMap(_rows_keyed, parts),
            "exact": inputs["exact"] | "KeyExact" >> beam.FlatMap(_pairs_keyed, parts),
            "labels": inputs["labels"] | "KeyLabels" >> beam.FlatMap(_pairs_keyed, parts),
        }
        return (keyed
                | "JoinByRecord" >> beam.CoGroupByKey()
                | "DecideAndWrite" >> beam.FlatMap(_merge_and_write, self.directory, parts))
