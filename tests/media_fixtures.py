"""Small test videos made with ffmpeg at test time (ffmpeg/ffprobe are required system tools).

Use from a test module with ``from tests.media_fixtures import media  # noqa: F401``. The clips are built once per
test session (~1-2 s in all): pytest registers an imported fixture once per importing module, so the result is
cached here rather than relying on the fixture scope alone.
"""
from __future__ import annotations

import random
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

_CACHE: dict[str, SimpleNamespace] = {}

# H.264 as a web site would serve it: 2 s GOP (so sampling really seeks), B-frames, moov index first (faststart).
_H264 = ["-c:v", "libx264", "-preset", "veryfast", "-g", "50", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True, timeout=60)


def _clip(out: Path, source: str, *extra: str, seconds: float = 12) -> Path:
    _ffmpeg("-f", "lavfi", "-i", source, *extra, "-t", str(seconds), *_H264, str(out))
    return out


def build_media(root: Path) -> SimpleNamespace:
    """Every fixture clip under ``root``; see the attribute comments for what each one is for."""
    root.mkdir(parents=True, exist_ok=True)
    m = SimpleNamespace(root=root)
    # normal: moving test pattern, 320x240, 25 fps, 12 s, with an AAC audio track
    m.normal = root / "normal.mp4"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-f", "lavfi", "-i", "sine=frequency=440",
            "-t", "12", *_H264, "-c:a", "aac", "-b:a", "64k", str(m.normal))
    # static: the first testsrc2 frame held for 12 s (detailed, not uniform, but nothing changes)
    m.static = _clip(root / "static.mp4", "testsrc2=size=320x240:rate=10", "-vf", "loop=loop=-1:size=1:start=0")
    m.blank = _clip(root / "blank.mp4", "color=c=black:size=320x240:rate=10")
    m.tiny = _clip(root / "tiny.mp4", "testsrc2=size=96x64:rate=10")
    m.wide = _clip(root / "wide.mp4", "testsrc2=size=640x100:rate=10")  # aspect 6.4, a banner
    m.audio = root / "audio.m4a"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440", "-t", "3", "-c:a", "aac", str(m.audio))
    m.image = root / "still.png"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=320x240", "-frames:v", "1", str(m.image))
    m.empty = root / "empty.mp4"
    m.empty.write_bytes(b"")
    m.text = root / "text.mp4"
    m.text.write_text("这不是视频 / this is not a video\n" * 20, encoding="utf-8")
    m.missing = root / "missing.mp4"
    data = m.normal.read_bytes()
    # truncated: a download that stopped at 30%
    m.truncated = root / "truncated.mp4"
    m.truncated.write_bytes(data[: int(len(data) * 0.3)])
    # corrupt: 10% of the bytes around the middle (inside the media data, headers intact) overwritten with noise
    m.corrupt = root / "corrupt.mp4"
    buf = bytearray(data)
    start, length = len(buf) // 2 - len(buf) // 20, len(buf) // 10
    buf[start:start + length] = random.Random(7).randbytes(length)
    m.corrupt.write_bytes(bytes(buf))
    return m


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    if "media" not in _CACHE:
        _CACHE["media"] = build_media(tmp_path_factory.mktemp("media"))
    return _CACHE["media"]
