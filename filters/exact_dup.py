"""Exact duplicates: same video_id (a repeated input row), same md5, same video_path, same title and duration.

Within each key the earliest record in input order (smallest record_id: files sorted by path, then position) is
the original; every later record sharing the key is a duplicate of it. A record that is a later copy under several
keys reports the first key in ``KEY_ORDER``. Work per key is a sort, so a key shared by 100,000 records is linear.
"""
from __future__ import annotations

from typing import Any, Iterable, NamedTuple

from schemas.records import DedupItem

KEY_ORDER = ("video_id", "md5", "video_path", "title_duration")


def exact_keys(item: DedupItem, content_keys: Iterable[str]) -> list[tuple[str, str]]:
    """(kind, key) pairs: video_id for every valid record, content keys only for records still alive."""
    keys = [("video_id", item.video_id)]
    if item.alive:
        for kind in content_keys:
            if kind == "md5" and item.md5:
                keys.append((kind, item.md5))
            elif kind == "video_path" and item.video_path:
                keys.append((kind, item.video_path))
            elif kind == "title_duration" and item.duration is not None:
                keys.append((kind, f"{item.title}\x1f{item.duration!r}"))
    return keys


class ExactKeys(NamedTuple):
    """Exact-dup keys column-wise: entry i is (kinds[i], keys[i]) of record record_ids[i] / video_ids[i]. Columns,
    not a tuple per key: three keys per record cross a shuffle, and lists of strings and ints pickle several times
    faster than as many small tuples."""
    kinds: list[str]
    keys: list[str]
    record_ids: list[int]
    video_ids: list[str]

    @classmethod
    def of(cls, items: Iterable[DedupItem], content_keys: Iterable[str]) -> ExactKeys:
        out = cls([], [], [], [])
        content_keys = tuple(content_keys)
        for item in items:
            for kind, key in exact_keys(item, content_keys):
                out.add(kind, key, item.record_id, item.video_id)
        return out

    def add(self, kind: str, key: str, record_id: int, video_id: str) -> None:
        self.kinds.append(kind)
        self.keys.append(key)
        self.record_ids.append(record_id)
        self.video_ids.append(video_id)


def resolve(tables: Iterable[ExactKeys]) -> tuple[dict[int, dict[str, Any]], list[tuple]]:
    """From the keys of a shard: decisions for later copies, and content-dup edges.

    Decisions map record_id -> {dup_key, dup_of, reason}. Edges ((rid, vid), (first_rid, first_vid)) connect content
    duplicates so near-dup clustering keeps one representative across both stages.
    """
    rank = {kind: i for i, kind in enumerate(KEY_ORDER)}
    entries = sorted(((rid, rank[kind], kind, key, vid) for table in tables
                      for kind, key, rid, vid in zip(table.kinds, table.keys, table.record_ids, table.video_ids)),
                     key=lambda e: (e[0], e[1]))
    first: dict[tuple[str, str], tuple[int, str]] = {}
    decisions: dict[int, dict[str, Any]] = {}
    edges = []
    for record_id, _, kind, key, video_id in entries:
        original = first.setdefault((kind, key), (record_id, video_id))
        if original[0] == record_id:
            continue
        if kind != "video_id":
            edges.append(((record_id, video_id), original))
        if record_id not in decisions:
            what = "repeated video_id" if kind == "video_id" else f"same {kind.replace('_', ' and ')} as"
            first_copy = "an earlier run" if original[0] < 0 else _position(original[0])
            decisions[record_id] = {"dup_key": kind, "dup_of": original[1], "dup_of_record": original[0],
                                    "reason": f"{what} {original[1]}" if kind != "video_id"
                                    else f"{what} (first copy: {first_copy})"}
    return decisions, edges


def _position(record_id: int) -> str:
    """Where a record sits in the input: record ids are (input file number << 40) | byte offset or row number."""
    return f"input file #{record_id >> 40}, byte/row {record_id & ((1 << 40) - 1):,}; record_id {record_id}"
