"""Near-duplicate titles: candidate pairs from MinHash LSH, then an exact verification step.

Reposts change a title by a character or two ("李白连招教学" -> "李白连招教程") or add a short tag ("（高清版）"), and
keep the video, so their duration stays within about a second. On short titles such edits drop character-3-gram
Jaccard far below the usual 0.7, which is why Jaccard alone finds only a third to half of them. So:

1. shingles are character bigrams of the comparison text (letters and digits only); LSH uses 20 bands of 3 rows,
   and a bucket key also holds a *duration cell* (width = tolerance; each record in its cell and the next), so
   only texts whose durations could match meet at all. On templated titles ("XX日常吐槽大赏第25期") plain LSH
   makes hundreds of millions of candidate pairs; with duration cells, 20x fewer, and 98.6% of true pairs still
   meet (measured in docs/BENCHMARKS.md);
2. every candidate pair is verified exactly: Levenshtein distance <= ``max_edits`` (with the same numbers on both
   sides, so "第3集" and "第4集" stay apart), or one title is the other plus a prefix/suffix of at most
   ``max_affix_chars``; and the records' durations must agree within ``duration_tolerance``;
3. identical comparison texts are collapsed first: their records are chained by duration (sorted, linear time),
   so a title repeated 100,000 times costs a sort, not 10^10 comparisons, and is one candidate in LSH.

Records of one text form "segments": maximal runs whose sorted durations are within tolerance of each other. Two
segments of verified-similar texts are linked when their duration ranges come within tolerance, which is exactly
when some pair of their records does.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from typing import Iterable

import numpy as np
from rapidfuzz.distance import Levenshtein

from filters.lsh_keys import LshEntries, compatible, unique_rows
from filters.text_rows import Node, Segment, TextRow, TextTable
from schemas.config import NearDupConfig
from schemas.records import DedupItem

_DIGITS = re.compile(r"\d+")


def text_hash(text: str) -> int:
    """Stable 63-bit hash of a comparison text (Python's hash() differs between worker processes)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little") >> 1


def group_identical(members: Iterable[DedupItem],
                    tolerance: float) -> tuple[list[TextRow], list[tuple[Node, Node]]]:
    """Collapse records with the same comparison text into one text row; link same-text records by duration.

    Records without a duration form one segment that matches any duration. Edges go from each record to its
    segment's representative (the smallest record_id).
    """
    by_text: dict[str, list] = defaultdict(list)
    for item in members:
        by_text[item.text].append((item.duration, item.record_id, item.video_id))
    rows, edges = [], []
    for text in sorted(by_text):
        records = by_text[text]
        if len(records) == 1:  # most texts: one record, one segment (what the general case below would build)
            duration, record_id, video_id = records[0]
            lo, hi = (-math.inf, math.inf) if duration is None else (duration, duration)
            rows.append(TextRow(text_hash(text), text, [Segment((record_id, video_id), lo, hi)]))
            continue
        known = sorted(m for m in by_text[text] if m[0] is not None)
        runs: list[list] = []
        for member in known:
            if runs and member[0] - runs[-1][-1][0] <= tolerance:
                runs[-1].append(member)
            else:
                runs.append([member])
        unknown = [m for m in by_text[text] if m[0] is None]
        segments = []
        for run, lo, hi in [(r, r[0][0], r[-1][0]) for r in runs] + ([(unknown, -math.inf, math.inf)] if unknown else []):
            rep = min((rid, vid) for _, rid, vid in run)
            edges.extend(((rid, vid), rep) for _, rid, vid in run if rid != rep[0])
            segments.append(Segment(rep, lo, hi))
        rows.append(TextRow(text_hash(text), text, segments))
    return rows, edges


def merge_rows(rows: Iterable[TextRow], tolerance: float) -> tuple[list[TextRow], list[tuple[Node, Node]]]:
    """Merge text rows of the same text (collapsed separately, e.g. per batch) into one row per text, exactly as
    ``group_identical`` over all their records would: segments whose duration ranges come within ``tolerance``
    join; segments without duration join each other. Edges go from each old representative to the new one.

    Why: collapsing identical texts per batch first means a title repeated 10^6 times reaches its shuffle
    partition as one small row per batch, not 10^6 records on one worker."""
    by_text: dict[str, list[TextRow]] = defaultdict(list)
    for row in rows:
        by_text[row.text].append(row)
    merged, edges = [], []
    for text in sorted(by_text):
        if len(by_text[text]) == 1:  # collapsed once already (group_identical or an earlier merge): unchanged
            merged.append(by_text[text][0])
            continue
        segments = [segment for row in by_text[text] for segment in row.segments]
        known = sorted((s for s in segments if not math.isinf(s.lo)), key=lambda s: (s.lo, s.hi, s.rep))
        runs: list[list[Segment]] = []
        high = -math.inf
        for segment in known:
            if runs and segment.lo - high <= tolerance:
                runs[-1].append(segment)
                high = max(high, segment.hi)
            else:
                runs.append([segment])
                high = segment.hi
        unknown = [s for s in segments if math.isinf(s.lo)]
        out = []
        for run in runs + ([unknown] if unknown else []):
            rep = min(s.rep for s in run)
            edges.extend((s.rep, rep) for s in run if s.rep != rep)
            out.append(Segment(rep, min(s.lo for s in run), max(s.hi for s in run)))
        merged.append(TextRow(text_hash(text), text, out))
    return merged, edges


def collapse_table(items: Iterable[DedupItem], tolerance: float) -> tuple[TextTable, list[tuple[Node, Node]]]:
    """``group_identical`` straight into a TextTable: a text with one record (nearly all of them) goes into the
    columns as it is; only repeated texts are chained by duration."""
    by_text: dict[str, list[DedupItem]] = {}
    for item in items:
        by_text.setdefault(item.text, []).append(item)
    singles = [group[0] for group in by_text.values() if len(group) == 1]
    rows, edges = group_identical([item for group in by_text.values() if len(group) > 1 for item in group], tolerance)
    n = len(singles)
    known = np.fromiter((item.duration is not None for item in singles), dtype=bool, count=n)
    durations = np.fromiter((item.duration or 0.0 for item in singles), dtype=np.float64, count=n)
    single = TextTable(np.fromiter((text_hash(item.text) for item in singles), dtype=np.int64, count=n),
                       [item.text for item in singles], np.arange(n + 1, dtype=np.int64),
                       np.fromiter((item.record_id for item in singles), dtype=np.int64, count=n),
                       [item.video_id for item in singles],
                       np.where(known, durations, -math.inf), np.where(known, durations, math.inf))
    return TextTable.concat([single, TextTable.of(rows)]), edges


def merge_tables(tables: Iterable[TextTable], tolerance: float) -> tuple[TextTable, list[tuple[Node, Node]]]:
    """``merge_rows`` over TextTables: only texts whose hash occurs more than once are turned into rows and
    merged; the rest pass through as columns."""
    table = TextTable.concat(list(tables))
    _, inverse, counts = np.unique(table.hashes, return_inverse=True, return_counts=True)
    repeated = counts[inverse] > 1
    rows, edges = merge_rows(table.rows(np.flatnonzero(repeated)), tolerance)
    return TextTable.concat([table.take(np.flatnonzero(~repeated)), TextTable.of(rows)]), edges


def _window_pairs(starts: np.ndarray, sizes: np.ndarray, window: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions (i, j), i < j < i + window, within each run [start, start + size) of the sorted entries: every
    pair of a bucket of at most ``window`` texts, a sliding window in a larger one. One vectorised pass (a
    ``triu_indices`` per bucket cost seconds on tens of thousands of small buckets)."""
    position = np.arange(sizes.sum(), dtype=np.int64)
    local = position - np.repeat(starts, sizes)
    partners = np.minimum(np.repeat(sizes, sizes) - 1 - local, window - 1)
    first = np.repeat(position, partners)
    step = np.arange(partners.sum(), dtype=np.int64) - np.repeat(np.cumsum(partners) - partners, partners) + 1
    return first, first + step


def bucket_pairs(pieces: list[LshEntries], config: NearDupConfig) -> np.ndarray:
    """Candidate (text_hash, text_hash) pairs, as an (n, 2) array sorted by row, from texts sharing an LSH bucket
    key in any of ``pieces`` (a bucket partition's entries, from several text tables).

    Pairs whose sketches rule them out are dropped here (see ``sketch``). A bucket with more than
    ``max_bucket_texts`` distinct texts (a very common pattern) is compared in a sliding window of that many
    neighbours instead of all pairs, bounding the work; the other bands still see those texts.
    """
    keys = np.concatenate([piece.keys for piece in pieces]) if pieces else np.zeros(0, dtype=np.uint64)
    if keys.size < 2:
        return np.zeros((0, 2), dtype=np.int64)
    offsets = np.cumsum([0] + [len(piece.hashes) for piece in pieces[:-1]])
    text = np.concatenate([piece.text.astype(np.int64) + offset for piece, offset in zip(pieces, offsets.tolist())])
    all_hashes = np.concatenate([piece.hashes for piece in pieces])
    all_sketches = np.concatenate([piece.sketches for piece in pieces])
    all_earlier = np.concatenate([piece.earlier_flags() for piece in pieces])
    # Nearly every bucket key occurs once: drop those with one sort of the keys alone, then order the few left
    order = np.argsort(keys)
    sorted_keys = keys[order]
    shared = np.zeros(keys.size, dtype=bool)
    shared[1:] = sorted_keys[1:] == sorted_keys[:-1]
    shared[:-1] |= shared[1:]
    keys, text = sorted_keys[shared], text[order[shared]]
    hashes, sketches, earlier = all_hashes[text], all_sketches[text], all_earlier[text]
    order = np.lexsort((hashes, keys))
    keys, hashes, sketches, earlier = keys[order], hashes[order], sketches[order], earlier[order]
    keep = np.ones(keys.size, dtype=bool)
    keep[1:] = (keys[1:] != keys[:-1]) | (hashes[1:] != hashes[:-1])
    keys, hashes, sketches, earlier = keys[keep], hashes[keep], sketches[keep], earlier[keep]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    first, second = _window_pairs(starts, sizes, config.max_bucket_texts)
    # two earlier texts: their runs have decided about them (kept both), so the pair is never verified
    ok = compatible(sketches[first], sketches[second], config) & ~(earlier[first] & earlier[second])
    a, b = hashes[first[ok]], hashes[second[ok]]
    return unique_rows(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1))


def similar(a: str, b: str, config: NearDupConfig) -> str | None:
    """Why two comparison texts are near-duplicates ("edit distance 1", "suffix 高清版"), or None."""
    if a == b:
        return "same title"
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < config.min_chars:
        return None
    cutoff = max(config.max_edits, config.max_affix_chars)
    distance = Levenshtein.distance(short, long_, score_cutoff=cutoff)
    if distance > cutoff:
        return None
    if distance <= config.max_edits:
        if config.numbers_must_match and _DIGITS.findall(a) != _DIGITS.findall(b):
            return None
        return f"edit distance {distance}"
    if len(long_) - len(short) == distance:
        if long_.startswith(short):
            return f"suffix {long_[len(short):]}"
        if long_.endswith(short):
            return f"prefix {long_[:distance]}"
    return None


def link_segments(segs_a: list[Segment], segs_b: list[Segment], tolerance: float) -> list[tuple[Node, Node]]:
    """Edges between representatives of segments whose duration ranges come within ``tolerance``."""
    return [(ra, rb) for ra, lo_a, hi_a in segs_a for rb, lo_b, hi_b in segs_b
            if lo_a - tolerance <= hi_b and lo_b - tolerance <= hi_a]
