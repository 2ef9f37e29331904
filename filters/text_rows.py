"""Text rows column-wise: the form collapsed texts take across near_dup's shuffles.

A ``TextRow`` is a text hash, a comparison text and its ``Segment``s (``filters.near_dup`` explains them). After collapsing, a partition's rows are read three times (MinHash
banding, then both sides of the candidate-pair join); as a list of nested tuples, unpickling them cost more than
banding them. ``TextTable`` holds the same rows as a few arrays and two string lists, which pickle as buffers, and
turns back into tuple rows only for the texts a step actually needs.
"""
from __future__ import annotations

from typing import NamedTuple, Sequence

import numpy as np


Node = tuple  # (record_id, video_id): a vertex of the duplicate graph (filters.components), ordered by record_id


class Segment(NamedTuple):
    """Records of one text whose sorted durations lie within tolerance of each other, as one unit."""
    rep: Node      # the smallest record of the segment
    lo: float      # lowest duration (-inf: the records have none)
    hi: float      # highest duration (+inf: the records have none)


class TextRow(NamedTuple):
    """One comparison text and the segments of the records that have it."""
    hash: int
    text: str
    segments: list[Segment]


class TextTable(NamedTuple):
    hashes: np.ndarray        # int64 text hash per text
    texts: list[str]          # comparison text per text
    seg_starts: np.ndarray    # int64, len(texts) + 1: text i's segments are seg_starts[i]:seg_starts[i + 1]
    rep_ids: np.ndarray       # int64 record_id of each segment's representative
    rep_vids: list[str]       # video_id of each segment's representative
    lo: np.ndarray            # float64 lowest duration per segment (-inf: unknown)
    hi: np.ndarray            # float64 highest duration per segment (+inf: unknown)

    @classmethod
    def of(cls, rows: Sequence[TextRow]) -> TextTable:
        segments = [segment for row in rows for segment in row[2]]
        counts = np.fromiter((len(row[2]) for row in rows), dtype=np.int64, count=len(rows))
        return cls(np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows)),
                   [row[1] for row in rows],
                   np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(counts)]),
                   np.fromiter((s[0][0] for s in segments), dtype=np.int64, count=len(segments)),
                   [s[0][1] for s in segments],
                   np.fromiter((s[1] for s in segments), dtype=np.float64, count=len(segments)),
                   np.fromiter((s[2] for s in segments), dtype=np.float64, count=len(segments)))

    @classmethod
    def concat(cls, tables: Sequence[TextTable]) -> TextTable:
        if len(tables) == 1:
            return tables[0]
        counts = np.concatenate([np.diff(t.seg_starts) for t in tables]) if tables else np.zeros(0, dtype=np.int64)
        return cls(np.concatenate([t.hashes for t in tables]) if tables else np.zeros(0, dtype=np.int64),
                   [text for t in tables for text in t.texts],
                   np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(counts)]),
                   np.concatenate([t.rep_ids for t in tables]) if tables else np.zeros(0, dtype=np.int64),
                   [vid for t in tables for vid in t.rep_vids],
                   np.concatenate([t.lo for t in tables]) if tables else np.zeros(0),
                   np.concatenate([t.hi for t in tables]) if tables else np.zeros(0))

    def take(self, which: np.ndarray) -> TextTable:
        """The texts at ``which`` (an index array), with their segments."""
        counts = np.diff(self.seg_starts)[which]
        segs = np.repeat(self.seg_starts[which], counts) + (
            np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts))
        return TextTable(self.hashes[which], [self.texts[i] for i in which.tolist()],
                         np.concatenate([np.zeros(1, dtype=np.int64), np.cumsum(counts)]), self.rep_ids[segs],
                         [self.rep_vids[j] for j in segs.tolist()], self.lo[segs], self.hi[segs])

    def __len__(self) -> int:
        return len(self.texts)

    def segment_owner(self) -> np.ndarray:
        """The text index of every segment."""
        return np.repeat(np.arange(len(self.texts)), np.diff(self.seg_starts))

    def rows(self, which: np.ndarray | None = None) -> list[TextRow]:
        """The rows of the texts at ``which`` (all texts when None)."""
        indices = range(len(self.texts)) if which is None else which.tolist()
        starts, hashes, ids, vids = self.seg_starts.tolist(), self.hashes.tolist(), self.rep_ids.tolist(), self.rep_vids
        lo, hi = self.lo.tolist(), self.hi.tolist()
        return [TextRow(hashes[i], self.texts[i],
                        [Segment((ids[j], vids[j]), lo[j], hi[j]) for j in range(starts[i], starts[i + 1])])
                for i in indices]

    def rows_with_hashes(self, wanted: np.ndarray) -> list[TextRow]:
        """The tuple rows whose text hash is in ``wanted``."""
        return self.rows(np.flatnonzero(np.isin(self.hashes, wanted)))
