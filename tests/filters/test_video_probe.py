import pickle

import pytest

from filters.video_probe import MediaError, ProbeLimits, probe, truncation_reason
from tests.media_fixtures import media  # noqa: F401  (session fixture: the test clips)


def test_normal_clip(media):
    info = probe(media.normal, timeout_s=10)
    assert info["duration"] == pytest.approx(12.0, abs=0.1)
    assert (info["width"], info["height"], info["codec"]) == (320, 240, "h264")
    assert info["fps"] == pytest.approx(25.0)
    assert info["has_video"] and info["has_audio"]
    assert info["bytes"] == media.normal.stat().st_size


def test_silent_clip_has_no_audio(media):
    assert probe(media.static, timeout_s=10)["has_audio"] is False


def test_bytes_equal_path(media):
    for clip in (media.normal, media.wide):
        assert probe(clip.read_bytes(), timeout_s=10) == probe(str(clip), timeout_s=10)


@pytest.mark.parametrize("name,why", [
    ("missing", "missing file"),
    ("empty", "empty file (0 bytes)"),
    ("text", "not a video: ffprobe failed"),
    ("image", "not a video: still image"),
    ("audio", "no video stream (audio only)"),
    ("truncated", "truncated file: 'mdat' box ends at byte"),
])
def test_rejects(media, name, why):
    with pytest.raises(MediaError) as err:
        probe(getattr(media, name), timeout_s=10)
    assert why in err.value.reason


@pytest.mark.parametrize("name,why", [("empty", "empty file"), ("text", "not a video"),
                                      ("audio", "audio only"), ("truncated", "truncated file")])
def test_rejects_bytes(media, name, why):
    with pytest.raises(MediaError, match=why):
        probe(getattr(media, name).read_bytes(), timeout_s=10)


def test_limits(media):
    with pytest.raises(MediaError, match=r"absurd dimensions 640x100 \(each side must be 1-320\)"):
        probe(media.wide, timeout_s=10, limits=ProbeLimits(max_side=320))
    with pytest.raises(MediaError, match=r"file too large: \d+ bytes > 1000"):
        probe(media.normal, timeout_s=10, limits=ProbeLimits(max_bytes=1000))
    with pytest.raises(MediaError, match="file too large"):
        probe(media.normal.read_bytes(), timeout_s=10, limits=ProbeLimits(max_bytes=1000))


def test_timeout(media):
    with pytest.raises(MediaError, match=r"^probe exceeded 0.001s$"):
        probe(media.normal, timeout_s=0.001)


def test_corrupt_payload_passes_probe(media):
    # Headers are intact, so only decoding finds the damage (see test_video_decode).
    assert probe(media.corrupt, timeout_s=10)["width"] == 320
    assert truncation_reason(media.corrupt) is None


def test_truncation_reason(media):
    data = media.normal.read_bytes()
    assert truncation_reason(data) is None and truncation_reason(media.normal) is None
    assert "file has 100 bytes" in truncation_reason(data[:100])
    assert truncation_reason(data[:5]) is None  # too short to be a box: left to ffprobe
    assert truncation_reason(media.text) is None  # not MP4
    assert truncation_reason(media.missing) is None


def test_media_error_pickles():
    err = pickle.loads(pickle.dumps(MediaError("truncated file")))
    assert isinstance(err, MediaError) and err.reason == "truncated file"
