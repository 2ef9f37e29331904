"""Exact duplicates: same video_id (a repeated input row), same md5, same video_path, same title and duration.

Within each key the earliest record in input order (smallest record_id: files sorted by path, then position) is
the original; every later record sharing the key is a duplicate of it. A record that is a later copy under several
keys reports the first key in ``KEY_ORDER``. Work per key is a sort, so a key shared by 100,000 records is linear.
"""
from __future__ import annotations

from typing import Any, Iterable

KEY_ORDER = ("video_id", "md5", "video_path", "title_duration")

# An item is the compact view of a record that dedup needs.
# (record_id, video_id, alive, md5, video_path, title, duration, comparison_text)
Item = tuple


def exact_keys(item: Item, content_keys: Iterable[str]) -> list[tuple[str, str]]:
    """(kind, key) pairs: video_id for every valid record, content keys only for records still alive."""
    record_id, video_id, alive, md5, video_path, title, duration, _ = item
    keys = [("video_id", video_id)]
    if alive:
        for kind in content_keys:
            if kind == "md5" and md5:
                keys.append((kind, md5))
            elif kind == "video_path" and video_path:
                keys.append((kind, video_path))
            elif kind == "title_duration" and duration is not None:
                keys.append((kind, f"{title}\x1f{duration!r}"))
    return keys


def resolve(entries: Iterable[tuple[str, str, int, str]]) -> tuple[dict[int, dict[str, Any]], list[tuple]]:
    """From (kind, key, record_id, video_id) entries: decisions for later copies, and content-dup edges.

    Decisions map record_id -> {dup_key, dup_of, reason}. Edges ((rid, vid), (first_rid, first_vid)) connect content
    duplicates so near-dup clustering keeps one representative across both stages.
    """
    first: dict[tuple[str, str], tuple[int, str]] = {}
    decisions: dict[int, dict[str, Any]] = {}
    edges = []
    rank = {kind: i for i, kind in enumerate(KEY_ORDER)}
    for kind, key, record_id, video_id in sorted(entries, key=lambda e: (e[2], rank[e[0]])):
        original = first.setdefault((kind, key), (record_id, video_id))
        if original[0] == record_id:
            continue
        if kind != "video_id":
            edges.append(((record_id, video_id), original))
        if record_id not in decisions:
            what = "repeated video_id" if kind == "video_id" else f"same {kind.replace('_', ' and ')} as"
            decisions[record_id] = {"dup_key": kind, "dup_of": original[1],
                                    "reason": f"{what} {original[1]}" if kind != "video_id"
                                    else f"{what} (first copy: {_position(original[0])})"}
    return decisions, edges


def _position(record_id: int) -> str:
    """Where a record sits in the input: record ids are (input file number << 40) | byte offset or row number."""
    return f"input file #{record_id >> 40}, byte/row {record_id & ((1 << 40) - 1):,}; record_id {record_id}"
