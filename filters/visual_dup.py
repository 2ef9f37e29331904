"""Visual near-duplicates: the same video re-uploaded (byte copy, re-encode, resize) under another title.

Titles cannot catch these; the embeddings can: re-encodes of one video have mean frame embeddings with cosine
similarity well above 0.9, while different videos of one topic stay far lower. A re-upload also keeps its length,
so the probed durations must agree too (``duration_tolerance``): cheap, and it keeps a weak model from merging
different videos that merely look alike. Candidates come from random-hyperplane
LSH (SimHash) over the mean frame embedding — ``bands`` bands of ``rows`` sign bits each, so two vectors at angle
theta share a band with probability 1 - (1 - (1 - theta/pi)^rows)^bands — and every candidate pair is verified by
its exact cosine against ``threshold``. Clusters and their representative (the earliest record) are resolved with
the same connected-components rounds as ``near_dup``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from schemas.config import VisualDupConfig


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


def verified_pairs(keys: np.ndarray, ids: np.ndarray, vectors: np.ndarray,
                   config: VisualDupConfig) -> list[tuple[int, int, float]]:
    """(id_a, id_b, cosine) for rows sharing a key whose cosine reaches the threshold (each pair once)."""
    flat_keys = keys.ravel()
    owner = np.repeat(np.arange(len(ids)), keys.shape[1])
    order = np.argsort(flat_keys, kind="stable")
    flat_keys, owner = flat_keys[order], owner[order]
    starts = np.flatnonzero(np.r_[True, flat_keys[1:] != flat_keys[:-1]])
    sizes = np.diff(np.r_[starts, flat_keys.size])
    seen: set[tuple[int, int]] = set()
    out = []
    for start, size in zip(starts[sizes > 1].tolist(), sizes[sizes > 1].tolist()):
        members = np.unique(owner[start:start + size])
        sims = vectors[members] @ vectors[members].T
        for i, j in zip(*np.nonzero(np.triu(sims >= config.threshold, 1))):
            a, b = int(members[i]), int(members[j])
            if (a, b) not in seen:
                seen.add((a, b))
                out.append((int(ids[a]), int(ids[b]), float(sims[i, j])))
    return out


def bucket_edges(entries, config: VisualDupConfig) -> list[tuple]:
    """Edges between nodes sharing a band key whose vectors reach the cosine threshold and whose probed durations
    agree within ``duration_tolerance``, from (key, rid, vid, vector, duration) entries (one shuffle partition of
    the banding). Each bucket is verified on its own, so work is per bucket."""
    buckets: dict[int, dict[tuple, tuple]] = {}
    for key, rid, vid, vector, duration in entries:
        buckets.setdefault(key, {})[(rid, vid)] = (vector, duration)
    edges: set[tuple] = set()
    for members in buckets.values():
        if len(members) < 2:
            continue
        nodes = sorted(members)
        vectors = np.stack([members[node][0] for node in nodes]).astype(np.float32)
        durations = np.array([members[node][1] for node in nodes], dtype=np.float64)
        close = np.abs(durations[:, None] - durations[None, :]) <= config.duration_tolerance
        for i, j in zip(*np.nonzero(np.triu((vectors @ vectors.T >= config.threshold) & close, 1))):
            edges.add((nodes[int(i)], nodes[int(j)]))
    return sorted(edges)
