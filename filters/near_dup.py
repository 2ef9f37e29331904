"""Near-duplicate titles: candidate pairs from MinHash LSH, then an exact verification step.

Reposts change a title by a character or two ("李白连招教学" -> "李白连招教程") or add a short tag ("（高清版）"), and
keep the video, so their duration stays within about a second. On short titles such edits drop character-3-gram
Jaccard far below the usual 0.7, which is why Jaccard alone finds only a third to half of them. So:

1. shingles are character bigrams of the comparison text (letters and digits only), and LSH uses many 2-row bands:
   a pair at Jaccard 0.3 becomes a candidate with probability > 0.99 (see ``minhash.candidate_probability``);
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

from pipeline.config import NearDupConfig

Node = tuple      # (record_id, video_id)
Segment = tuple   # (representative Node, lowest duration, highest duration)
TextRow = tuple   # (text_hash, comparison_text, [Segment, ...])
_DIGITS = re.compile(r"\d+")


def text_hash(text: str) -> int:
    """Stable 63-bit hash of a comparison text (Python's hash() differs between worker processes)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little") >> 1


def group_identical(members: Iterable[tuple[str, int, str, float | None]],
                    tolerance: float) -> tuple[list[TextRow], list[tuple[Node, Node]]]:
    """Collapse records with the same comparison text into one text row; link same-text records by duration.

    ``members`` are (comparison_text, record_id, video_id, duration). Records without a duration form one segment
    that matches any duration. Edges go from each record to its segment's representative (the smallest record_id).
    """
    by_text: dict[str, list] = defaultdict(list)
    for text, record_id, video_id, duration in members:
        by_text[text].append((duration, record_id, video_id))
    rows, edges = [], []
    for text in sorted(by_text):
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
            segments.append((rep, lo, hi))
        rows.append((text_hash(text), text, segments))
    return rows, edges


def bucket_pairs(keys: np.ndarray, hashes: np.ndarray, max_texts: int) -> set[tuple[int, int]]:
    """Candidate (text_hash, text_hash) pairs from texts sharing an LSH bucket key.

    A bucket with more than ``max_texts`` distinct texts (a very common pattern) is compared in a sliding window of
    ``max_texts`` neighbours instead of all pairs, bounding the work; the other bands still see those texts.
    """
    if keys.size < 2:
        return set()
    order = np.lexsort((hashes, keys))
    keys, hashes = keys[order], hashes[order]
    keep = np.ones(keys.size, dtype=bool)
    keep[1:] = (keys[1:] != keys[:-1]) | (hashes[1:] != hashes[:-1])
    keys, hashes = keys[keep], hashes[keep]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, keys.size])
    pairs: set[tuple[int, int]] = set()
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
        bucket = hashes[start:start + size].tolist()
        window = min(size, max_texts)
        for i, a in enumerate(bucket):
            pairs.update((a, b) for b in bucket[i + 1:i + window])
    return pairs


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
