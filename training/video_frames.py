"""Decode the T frames a video-language model sees from a video's bytes, as the Youku-mPLUG recipe samples them.

The video is split into T equal segments; training takes one random frame per segment (a different view of the clip
every epoch, still covering all of it), evaluation the middle frame of each (the same frames on every run). Videos
with fewer than T frames repeat frames rather than fail, so every clip yields exactly T.

Frames are decoded by decord straight from the bytes held in memory (a shard member; nothing is written to disk) and
scaled inside the decoder (swscale) to a short side near the training size: only small frames are copied out, and
the aspect ratio is kept so a later random crop still sees the real geometry. Knowing the frame size up front (the
ledger's probed width/height) lets the reader open once at the reduced size; without it the first frame is decoded
to learn the size, which costs a few ms, far less than decoding T full-size frames.

Decoding happens in-process, without the time limit that the curation stage puts around decord: shard videos have
already been decoded once by curation, so a hostile file that hangs the decoder is not expected here. Every decoder
failure is turned into ``FrameDecodeError`` so a data loader can skip and count the sample instead of dying.
"""
from __future__ import annotations

import io
from typing import Any

import numpy as np


class FrameDecodeError(Exception):
    """A video that yields no frames (empty, truncated, corrupt, not a video); ``reason`` is a short stable label."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


def segment_indices(frame_count: int, num_frames: int, rng: np.random.Generator | None = None) -> list[int]:
    """One frame index per equal segment: random within it when ``rng`` is given (training), else its middle.

    Segment i covers frames [i*n//T, (i+1)*n//T); an empty segment (n < T) takes its start frame, so short videos
    repeat frames in time order.
    """
    if frame_count < 1 or num_frames < 1:
        raise ValueError(f"need frame_count >= 1 and num_frames >= 1, got {frame_count}, {num_frames}")
    if rng is None:
        return [(2 * i + 1) * frame_count // (2 * num_frames) for i in range(num_frames)]
    indices = []
    for i in range(num_frames):
        start = i * frame_count // num_frames
        end = max((i + 1) * frame_count // num_frames, start + 1)
        indices.append(int(rng.integers(start, end)))
    return indices


def scaled_size(width: int, height: int, short_side: int | None) -> tuple[int, int]:
    """(width, height) with the short side brought down to ``short_side``, aspect kept; never upscales."""
    short = min(width, height)
    if not short_side or short <= short_side:
        return width, height
    scale = short_side / short
    return max(1, round(width * scale)), max(1, round(height * scale))


def _as_numpy(batch: Any) -> np.ndarray:
    # decord returns whatever bridge another module may have set globally (native NDArray, torch tensor, ...).
    return batch.asnumpy() if hasattr(batch, "asnumpy") else np.asarray(batch)


_CAUSES = (  # decord/ffmpeg message fragment -> reason
    ("cannot find video stream", "no video stream"),
    ("broken metadata", "no frame count"),
    ("Invalid frame count", "no frame count"),
    ("av_read_frame failed", "truncated or corrupt"),
    ("avcodec_send_packet", "truncated or corrupt"),
    ("Error reading", "not a video"),
    ("ERROR opening", "not a video"),
)


def _classify(message: str) -> tuple[str, str]:
    lines = [line for line in message.strip().splitlines() if line.strip()]
    detail = lines[0][:200] if lines else "no message"
    return next((reason for fragment, reason in _CAUSES if fragment in message), "undecodable"), detail


def decode_frames(data: bytes, num_frames: int, *, rng: np.random.Generator | None = None,
                  short_side: int | None = None, size: tuple[int, int] | None = None,
                  threads: int = 1) -> np.ndarray:
    """(num_frames, H, W, 3) uint8 RGB frames of the video in ``data``; raises ``FrameDecodeError``.

    ``rng``: random frame per segment (training) or None for segment middles (evaluation). ``short_side``: decode
    scaled so the short side is at most this. ``size``: the video's (width, height) when known, which saves decoding
    a frame to learn it; a wrong hint only changes the decoded size, never the frames chosen.
    """
    import decord

    decord.logging.set_level(decord.logging.QUIET)  # ffmpeg's per-packet complaints would flood worker logs
    if num_frames < 1:
        raise ValueError("num_frames must be >= 1")
    if not data:
        raise FrameDecodeError("empty", "0 bytes")
    try:
        if short_side and size is None:
            probe = decord.VideoReader(io.BytesIO(data), num_threads=threads)
            height, width = _as_numpy(probe.next()).shape[:2]
            size = (int(width), int(height))
            del probe
        width, height = scaled_size(*size, short_side) if size else (-1, -1)
        reader = decord.VideoReader(io.BytesIO(data), width=width, height=height, num_threads=threads)
        count = len(reader)
        if count < 1:
            raise FrameDecodeError("no frames", "the container reports 0 video frames")
        frames = _as_numpy(reader.get_batch(segment_indices(count, num_frames, rng)))
    except FrameDecodeError:
        raise
    except (decord.DECORDError, RuntimeError, ValueError, AssertionError, IndexError, StopIteration) as exc:
        raise FrameDecodeError(*_classify(str(exc))) from None
    if frames.ndim != 4 or frames.shape[0] != num_frames or frames.shape[-1] != 3:
        raise FrameDecodeError("undecodable", f"decoder returned frames of shape {frames.shape}")
    return np.ascontiguousarray(frames, dtype=np.uint8)
