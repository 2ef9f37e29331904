import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from filters import video_decode
from filters.video_decode import full_decode_rate, middle_indices, sample_frames, target_size
from filters.video_probe import MediaError
from tests.media_fixtures import media  # noqa: F401  (session fixture: the test clips)


def test_middle_indices():
    assert middle_indices(300, 8) == [18, 56, 93, 131, 168, 206, 243, 281]
    assert middle_indices(10, 1) == [5]
    assert middle_indices(3, 8) == [0, 0, 0, 1, 1, 2, 2, 2]  # fewer frames than samples: repeats, shape kept


def test_target_size():
    assert target_size(320, 240, 224) == (299, 224)
    assert target_size(1080, 1920, 224) == (224, 398)  # portrait
    assert target_size(96, 64, 224) == (96, 64)  # never upscales


def test_normal_clip(media):
    frames = sample_frames(media.normal, timeout_s=10)
    assert frames.shape == (8, 224, 299, 3) and frames.dtype == np.uint8
    assert len({f.tobytes() for f in frames}) == 8  # moving clip: every sample differs


def test_bytes_equal_path_and_in_process(media):
    from_path = sample_frames(str(media.normal), timeout_s=10)
    assert np.array_equal(sample_frames(media.normal.read_bytes(), timeout_s=10), from_path)
    assert np.array_equal(sample_frames(media.normal, timeout_s=None), from_path)
    assert np.array_equal(sample_frames(media.normal, timeout_s=10, size=(320, 240)), from_path)


def test_options(media):
    assert sample_frames(media.normal, num_frames=3, short_side=120, timeout_s=10).shape == (3, 120, 160, 3)
    assert sample_frames(media.tiny, timeout_s=10).shape == (8, 64, 96, 3)
    assert sample_frames(media.wide, timeout_s=10).shape == (8, 100, 640, 3)
    with pytest.raises(ValueError):
        sample_frames(media.normal, num_frames=0, timeout_s=10)


@pytest.mark.parametrize("name,why", [
    ("missing", "missing file"),
    ("empty", "empty file (0 bytes)"),
    ("text", "not a video"),
    ("audio", "no video stream"),
    ("image", "no decodable frames"),
    ("truncated", "truncated file"),
    ("corrupt", "corrupt stream: decoder rejected a packet"),
])
def test_rejects(media, name, why):
    with pytest.raises(MediaError) as err:
        sample_frames(getattr(media, name), timeout_s=10)
    assert why in err.value.reason


@pytest.mark.parametrize("name,why", [("truncated", "truncated file"), ("corrupt", "corrupt stream")])
def test_rejects_bytes(media, name, why):
    with pytest.raises(MediaError, match=why):
        sample_frames(getattr(media, name).read_bytes(), timeout_s=10)


def test_timeout_then_recovers(media):
    with pytest.raises(MediaError, match=r"^decode exceeded 0.001s$"):
        sample_frames(media.normal, timeout_s=0.001)
    assert sample_frames(media.normal, timeout_s=10).shape == (8, 224, 299, 3)  # a fresh helper took over


def test_helper_is_reused_and_replaced_when_dead(media):
    sample_frames(media.normal, timeout_s=10)
    helper = video_decode._LOCAL.helper
    sample_frames(media.static, timeout_s=10)
    assert video_decode._LOCAL.helper is helper  # no process start per video
    os.kill(helper.proc.pid, signal.SIGKILL)
    helper.proc.wait()
    assert sample_frames(media.normal, timeout_s=10).shape[0] == 8
    assert video_decode._LOCAL.helper is not helper


def test_threads_get_their_own_helper(media):
    clips = [media.normal, media.static, media.tiny, media.normal]
    expected = [sample_frames(c, timeout_s=10) for c in clips]
    with ThreadPoolExecutor(2) as pool:
        got = list(pool.map(lambda c: sample_frames(c, timeout_s=10), clips))
    assert all(np.array_equal(a, b) for a, b in zip(got, expected))


def test_relative_path_and_memoryview(media, monkeypatch):
    expected = sample_frames(media.normal, timeout_s=10)
    monkeypatch.chdir(media.root)
    assert np.array_equal(sample_frames("normal.mp4", timeout_s=10), expected)
    assert np.array_equal(sample_frames(memoryview(media.normal.read_bytes()), timeout_s=10), expected)


def test_sampling_is_fast(media):
    sample_frames(media.normal, timeout_s=10)  # helper warm
    start = time.perf_counter()
    for _ in range(5):
        sample_frames(media.normal, timeout_s=10)
    assert (time.perf_counter() - start) / 5 < 0.5  # ~30 ms here; generous for a loaded CI machine


def test_full_decode_rate(media):
    assert full_decode_rate(media.normal) > 50
