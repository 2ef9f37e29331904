"""Visual near-duplicates: the same video re-uploaded (byte copy, re-encode, resize, mild crop) under another title.

Titles cannot catch these; the frames can, two ways, and either suffices:
- embeddings: re-encodes of one video have mean frame embeddings with cosine similarity well above 0.9, while
  different videos of one topic stay far lower. Candidates come from random-hyperplane LSH (SimHash) over the mean
  frame embedding (``bands`` bands of ``rows`` sign bits: two vectors at angle theta share a band with probability
  1 - (1 - (1 - theta/pi)^rows)^bands), verified by the exact cosine against ``threshold``.
- perceptual hashes (``filters.perceptual_hash``), which need no model and so hold when the CLIP model is weak (the
  bundled tiny one) or fooled: more than ``hash_min_fraction`` of the time-aligned sampled frames within
  ``hash_max_distance`` bits. Candidates share a 16-bit quarter of one aligned frame's hash. Clips that overlap in a
  few frames (a trailer and the film, two cuts of one scene) stay apart: most frames must match, in order.
A re-upload also keeps its length, so the probed durations must agree too (``duration_tolerance``), whichever signal
matched. Clusters and their representative (the earliest record) come from the connected-components rounds shared
with ``near_dup`` (``transforms.components``).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from filters import perceptual_hash
from schemas.config import VisualDupConfig
from schemas.records import VisualItem


@lru_cache(maxsize=4)
def _planes(dim: int, bits: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((bits, dim)).astype(np.float32)


def mean_embedding(frames: np.ndarray) -> np.ndarray:
    """L2-normalised mean of a video's (N, D) frame embeddings."""
    mean = frames.astype(np.float32).mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def band_keys(vectors: np.ndarray, config: VisualDupConfig) -> np.ndarray:
    """(n, bands) uint64 keys; the band index is mixed in so keys of different bands never collide."""
    bits = (vectors.astype(np.float32) @ _planes(vectors.shape[1], config.bands * config.rows, config.seed).T) > 0
    bits = bits.reshape(len(vectors), config.bands, config.rows)
    weights = (1 << np.arange(config.rows, dtype=np.uint64)).astype(np.uint64)
    keys = (bits.astype(np.uint64) * weights).sum(axis=2, dtype=np.uint64)
    return keys + (np.arange(config.bands, dtype=np.uint64) << np.uint64(56))[None, :]


def candidate_probability(cosine: float, config: VisualDupConfig) -> float:
    p = 1.0 - np.arccos(np.clip(cosine, -1.0, 1.0)) / np.pi
    return float(1.0 - (1.0 - p ** config.rows) ** config.bands)


def entry_keys(items: list[VisualItem], config: VisualDupConfig) -> list[tuple[int, VisualItem]]:
    """(candidate key, item) for every embedding band and, with ``hashes`` on, every hash quarter of each item."""
    if not items:
        return []
    keys = band_keys(np.stack([item.embedding for item in items]).astype(np.float32), config)
    entries = [(int(key), item) for item, row in zip(items, keys) for key in row.tolist()]
    if config.hashes:
        for item in items:
            if item.hashes is not None:
                entries += [(int(key), item) for key in perceptual_hash.band_keys(item.hashes).tolist()]
    return entries


def _hash_matrix(items: list[VisualItem]) -> tuple[np.ndarray, np.ndarray]:
    """(m, F) hashes padded with 0 (no hash) and each item's frame count (-1 without hashes)."""
    counts = np.array([-1 if item.hashes is None else len(item.hashes) for item in items])
    matrix = np.zeros((len(items), max(1, counts.max())), np.uint64)
    for row, item in enumerate(items):
        if item.hashes is not None:
            matrix[row, :len(item.hashes)] = item.hashes
    return matrix, counts


def duplicate_matrix(items: list[VisualItem], config: VisualDupConfig) -> np.ndarray:
    """(m, m) bool: pairs whose durations agree and whose embeddings or aligned frame hashes match."""
    vectors = np.stack([item.embedding for item in items]).astype(np.float32)
    durations = np.array([np.nan if item.duration is None else item.duration for item in items], np.float64)
    same = vectors @ vectors.T >= config.threshold
    if config.hashes:
        hashes, counts = _hash_matrix(items)
        aligned = (counts[:, None] == counts[None, :]) & (counts[:, None] > 0)
        same |= aligned & perceptual_hash.aligned_close(hashes, config.hash_max_distance, config.hash_min_fraction)
    return same & (np.abs(durations[:, None] - durations[None, :]) <= config.duration_tolerance)


def bucket_edges(entries, config: VisualDupConfig) -> list[tuple]:
    """Edges ((rid, vid), (rid, vid)) between videos sharing a candidate key that verify as duplicates, from
    (key, VisualItem) entries (one shuffle partition of the banding). Each bucket is verified on its own, so work is
    per bucket; a hash bucket of more than ``max_bucket`` videos (one common frame: a channel's logo card) is skipped
    rather than paired quadratically."""
    buckets: dict[int, dict[tuple, VisualItem]] = {}
    for key, item in entries:
        buckets.setdefault(key, {})[(item.record_id, item.video_id)] = item
    edges: set[tuple] = set()
    for key, members in buckets.items():
        if len(members) < 2 or (key & int(perceptual_hash.KEY_TAG) and len(members) > config.max_bucket):
            continue
        nodes = sorted(members)
        same = duplicate_matrix([members[node] for node in nodes], config)
        for i, j in zip(*np.nonzero(np.triu(same, 1))):
            edges.add((nodes[int(i)], nodes[int(j)]))
    return sorted(edges)
