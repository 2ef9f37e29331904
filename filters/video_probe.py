"""Probe a video (path or in-memory bytes) with ffprobe: container facts, or a ``MediaError`` naming why not.

This is the first, cheapest media check of the ``decode`` stage: it reads headers only (no frame is decoded), so a
missing, empty, oversized, truncated or non-video input is rejected for a few milliseconds before any decoder runs.

ffprobe runs through ``subprocess.run(..., timeout=...)`` rather than ``ffmpeg.probe``: ffmpeg-python's ``probe``
calls ``Popen.communicate()`` with no timeout and no stdin, so it can neither enforce the time limit nor read bytes
from a pipe. The command line is the same one ``ffmpeg.probe`` builds (``-show_format -show_streams``, JSON out).

Truncation is checked before ffprobe on ISO-BMFF files (MP4/MOV/M4A, what Youku serves): the top-level boxes are
walked and a box that ends past the end of the file means the download stopped early. ffprobe alone does not see it
when the ``moov`` index comes first ("faststart"): it reports the full duration of a file that is 30% present.
"""
from __future__ import annotations

import json
import os
import struct
import subprocess
from dataclasses import dataclass
from typing import Any, Callable, Union

Source = Union[str, os.PathLike, bytes]


class MediaError(Exception):
    """A video that cannot be used; ``reason`` is the human-readable cause written to the ledger."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ProbeLimits:
    # 8192 is the largest frame side H.264 (level 6.2) and common HEVC profiles allow; a side above it, or a
    # non-positive one, is a broken header rather than a real video.
    max_side: int = 8192
    # Youku-mPLUG clips are 10-120 s: even 4K at 50 Mbit/s for 120 s is ~750 MB. The cap also bounds the memory a
    # worker spends holding a video as bytes.
    max_bytes: int = 1 << 30


DEFAULT_LIMITS = ProbeLimits()
# ISO-BMFF top-level box types that may open a file; anything else is left to ffprobe.
_ISO_FIRST_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot", b"styp"}
_MAX_BOXES = 4096  # fragmented MP4 has a moof+mdat pair per fragment; stop walking after this many boxes


def probe(source: Source, *, timeout_s: float, limits: ProbeLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """Container facts of ``source`` (a local path or the file's bytes).

    Returns ``duration`` (float seconds or None when the container does not say), ``width``, ``height``, ``fps``
    (float or None), ``codec`` (video codec name), ``has_video``, ``has_audio``, ``bytes``. Raises ``MediaError``.
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = bytes(source)
        size = len(source)
        target, stdin = "pipe:0", source
    else:
        path = target = os.fspath(source)
        stdin = None
        if not os.path.exists(path):
            raise MediaError(f"missing file: {path}")
        if not os.path.isfile(path):
            raise MediaError(f"not a regular file: {path}")
        size = os.path.getsize(path)
    _check_size(size, limits)
    truncated = truncation_reason(source)
    if truncated:
        raise MediaError(truncated)
    info = _run_ffprobe(target, stdin, timeout_s)
    return _summarise(info, size, limits)


def truncation_reason(source: Source) -> str | None:
    """Why an MP4/MOV file (path or bytes) is cut short, or None (also for other containers and unreadable paths)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        return _iso_truncation(lambda pos, n: data[pos:pos + n], len(data))
    try:
        with open(source, "rb") as fh:
            def read_at(pos: int, n: int) -> bytes:
                fh.seek(pos)
                return fh.read(n)
            return _iso_truncation(read_at, os.fstat(fh.fileno()).st_size)
    except OSError:
        return None


def _check_size(size: int, limits: ProbeLimits) -> None:
    if size == 0:
        raise MediaError("empty file (0 bytes)")
    if size > limits.max_bytes:
        raise MediaError(f"file too large: {size} bytes > {limits.max_bytes}")


def _iso_truncation(read_at: Callable[[int, int], bytes], size: int) -> str | None:
    """A reason when an MP4/MOV file's top-level boxes run past its end, else None (also for non-MP4 files)."""
    head = read_at(0, 8)
    if len(head) < 8 or head[4:8] not in _ISO_FIRST_BOXES:
        return None
    pos = 0
    for _ in range(_MAX_BOXES):
        if pos >= size:
            return None
        hdr = read_at(pos, 16)
        if len(hdr) < 8:
            return f"truncated file: box header at byte {pos} cut off, file has {size} bytes"
        box_size, box_type = struct.unpack(">I4s", hdr[:8])
        if box_size == 1:  # 64-bit size follows the type
            if len(hdr) < 16:
                return f"truncated file: box header at byte {pos} cut off, file has {size} bytes"
            box_size = struct.unpack(">Q", hdr[8:16])[0]
        elif box_size == 0:  # box runs to the end of the file
            return None
        if box_size < 8:
            return None  # not a box structure we understand: let ffprobe judge
        if pos + box_size > size:
            name = box_type.decode("latin-1")
            return f"truncated file: '{name}' box ends at byte {pos + box_size}, file has {size} bytes"
        pos += box_size
    return None


def _run_ffprobe(target: str, stdin: bytes | None, timeout_s: float) -> dict[str, Any]:
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-i", target]
    try:
        proc = subprocess.run(cmd, input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL,
                              capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:  # subprocess.run kills the child before raising
        raise MediaError(f"probe exceeded {timeout_s:g}s") from None
    except FileNotFoundError:
        raise MediaError("ffprobe not installed") from None  # a setup error, but keep the record's reason honest
    if proc.returncode != 0:
        raise MediaError(f"not a video: ffprobe failed ({_last_line(proc.stderr, target)})")
    try:
        return json.loads(proc.stdout.decode("utf-8", "replace") or "{}")
    except json.JSONDecodeError:
        raise MediaError("not a video: ffprobe printed no readable JSON") from None


def _last_line(stderr: bytes, target: str) -> str:
    lines = [ln.strip().removeprefix(f"{target}: ") for ln in stderr.decode("utf-8", "replace").splitlines()]
    lines = [ln for ln in lines if ln]
    if not lines:
        return "no message"
    # "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55...] moov atom not found" -> "moov atom not found"
    return "; ".join(ln.split("] ", 1)[-1] for ln in lines[-2:])[:200]


def _fraction(text: Any) -> float | None:
    try:
        num, _, den = str(text).partition("/")
        value = float(num) / float(den or 1)
    except (ValueError, ZeroDivisionError):
        return None
    return value if value > 0 else None


def _float(text: Any) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if value == value and value >= 0 else None  # drop NaN and negatives


def _summarise(info: dict[str, Any], size: int, limits: ProbeLimits) -> dict[str, Any]:
    streams = info.get("streams") or []
    fmt = info.get("format") or {}
    if not streams:
        raise MediaError("not a video: no streams")
    # Cover art in audio files (m4a/mp3) shows up as a one-frame video stream flagged attached_pic.
    videos = [s for s in streams if s.get("codec_type") == "video"
              and not (s.get("disposition") or {}).get("attached_pic")]
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    if not videos:
        kinds = sorted({str(s.get("codec_type")) for s in streams})
        raise MediaError("no video stream (audio only)" if kinds == ["audio"]
                         else f"no video stream ({', '.join(kinds)} only)")
    format_name = str(fmt.get("format_name", ""))
    if format_name == "image2" or format_name.endswith("_pipe"):
        raise MediaError(f"not a video: still image ({format_name})")
    video = videos[0]
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if not (0 < width <= limits.max_side and 0 < height <= limits.max_side):
        raise MediaError(f"absurd dimensions {width}x{height} (each side must be 1-{limits.max_side})")
    fps = _fraction(video.get("avg_frame_rate")) or _fraction(video.get("r_frame_rate"))
    duration = _float(fmt.get("duration"))
    if duration is None:
        duration = _float(video.get("duration"))
    return {
        "duration": duration,
        "width": width,
        "height": height,
        "fps": fps,
        "codec": video.get("codec_name"),
        "has_video": True,
        "has_audio": has_audio,
        "bytes": size,
    }
