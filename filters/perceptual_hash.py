"""64-bit DCT perceptual hashes of sampled frames: the model-free half of ``visual_dup``.

pHash as imagehash computes it: grey, box-resized to 32x32, 2-D DCT-II, the 8x8 lowest frequencies (DC included)
thresholded at their median. Low frequencies survive re-encoding, rescaling and mild crops, so a re-upload's frames
land within a few bits of the original's, while unrelated frames differ in ~32 of 64. A near-uniform frame (black,
a solid card) has no structure to hash: it gets 0, which means "no hash" everywhere (a real median split sets about
half the bits, never none).

Candidate keys (``band_keys``) follow the pigeonhole rule: a hash within 3 bits of another shares at least one of
its four 16-bit quarters exactly, and a pair with most of its 8 aligned frames within 12 bits almost always shares
one somewhere; the frame index is part of the key, so only time-aligned frames meet.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

HASH_SIZE = 8
RESIZE = 32
FLAT_STD = 2.0        # grey-level standard deviation under which a 32x32 frame counts as uniform
KEY_TAG = np.uint64(1 << 62)  # hash band keys carry bit 62 (embedding band keys do not, for bands < 64); keys fit int64


@lru_cache(maxsize=1)
def _dct_matrix(n: int = RESIZE) -> np.ndarray:
    k = np.arange(n)[:, None]
    m = np.cos(np.pi * (2 * np.arange(n)[None, :] + 1) * k / (2 * n))
    m[0] *= 1 / np.sqrt(2)
    return (m * np.sqrt(2 / n)).astype(np.float64)


def frame_hashes(frames: np.ndarray) -> np.ndarray:
    """(N, H, W, 3) uint8 RGB -> (N,) uint64 perceptual hashes (0 for near-uniform frames)."""
    from PIL import Image  # media only: the text phase imports this module (visual_dup) but installs no Pillow
    d = _dct_matrix()
    weights = (np.uint64(1) << np.arange(HASH_SIZE * HASH_SIZE, dtype=np.uint64))
    out = np.zeros(len(frames), np.uint64)
    for i, frame in enumerate(frames):
        grey = np.asarray(Image.fromarray(np.ascontiguousarray(frame)).convert("L").resize((RESIZE, RESIZE),
                                                                                           Image.BOX), np.float64)
        if grey.std() < FLAT_STD:
            continue
        low = (d @ grey @ d.T)[:HASH_SIZE, :HASH_SIZE].ravel()
        bits = low > np.median(low)
        out[i] = np.bitwise_or.reduce(weights[bits]) if bits.any() else np.uint64(0)
    return out


def hamming(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bitwise distance between uint64 hashes (broadcasting)."""
    return np.bitwise_count(np.bitwise_xor(np.asarray(a, np.uint64), np.asarray(b, np.uint64)))


def aligned_close(hashes: np.ndarray, max_distance: int, min_fraction: float) -> np.ndarray:
    """(m, m) bool for m videos' (m, F) aligned frame hashes: more than ``min_fraction`` of the F frame positions
    hold two hashes (neither 0) within ``max_distance`` bits."""
    hashes = np.asarray(hashes, np.uint64)
    valid = hashes != 0
    close = (hamming(hashes[:, None, :], hashes[None, :, :]) <= max_distance) & valid[:, None, :] & valid[None, :, :]
    return close.sum(axis=2) > min_fraction * hashes.shape[1]


def band_keys(hashes: np.ndarray) -> np.ndarray:
    """Candidate keys of one video's (F,) frame hashes: one per (frame index, 16-bit quarter) of every non-zero
    hash, tagged so they never equal an embedding band key."""
    hashes = np.asarray(hashes, np.uint64)
    frames = np.flatnonzero(hashes)
    if not len(frames):
        return np.zeros(0, np.uint64)
    quarters = np.arange(4, dtype=np.uint64)
    values = (hashes[frames, None] >> (quarters[None, :] * np.uint64(16))) & np.uint64(0xFFFF)
    keys = (KEY_TAG | (frames.astype(np.uint64)[:, None] << np.uint64(20)) | (quarters[None, :] << np.uint64(16))
            | values)
    return keys.ravel()
