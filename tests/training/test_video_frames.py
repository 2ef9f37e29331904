"""Frame sampling from video bytes: segment indices, reduced-size decode with the aspect kept, short videos repeating
frames, and a specific exception (never a crash) for empty, truncated, corrupt and non-video bytes."""
import io
import subprocess

import decord
import numpy as np
import pytest

from tests.media_fixtures import media  # noqa: F401
from training.video_frames import FrameDecodeError, decode_frames, scaled_size, segment_indices


def test_eval_indices_are_segment_middles():
    assert segment_indices(100, 4) == [12, 37, 62, 87]
    assert segment_indices(8, 8) == list(range(8))


def test_train_indices_one_random_frame_per_segment():
    seen = set()
    for seed in range(50):
        indices = segment_indices(100, 4, np.random.default_rng(seed))
        assert all(25 * i <= index < 25 * (i + 1) for i, index in enumerate(indices))
        seen.add(tuple(indices))
    assert len(seen) > 40  # really random
    assert segment_indices(100, 4, np.random.default_rng(7)) == segment_indices(100, 4, np.random.default_rng(7))


@pytest.mark.parametrize("rng", [None, np.random.default_rng(0)])
def test_short_videos_repeat_frames_in_order(rng):
    indices = segment_indices(2, 5, rng)
    assert len(indices) == 5 and indices == sorted(indices) and set(indices) == {0, 1}
    assert segment_indices(1, 3, rng) == [0, 0, 0]


def test_scaled_size_keeps_aspect_and_never_upscales():
    assert scaled_size(320, 240, 64) == (85, 64)
    assert scaled_size(100, 640, 32) == (32, 205)
    assert scaled_size(96, 64, 224) == (96, 64)
    assert scaled_size(96, 64, None) == (96, 64)


def test_decodes_reduced_frames_of_the_chosen_indices(media):
    data = media.normal.read_bytes()  # 320x240, 300 frames
    frames = decode_frames(data, 4, short_side=64)
    assert frames.shape == (4, 64, 85, 3) and frames.dtype == np.uint8
    hinted = decode_frames(data, 4, short_side=64, size=(320, 240))
    assert np.array_equal(frames, hinted)
    reference = decord.VideoReader(io.BytesIO(data), width=85, height=64).get_batch(segment_indices(300, 4)).asnumpy()
    assert np.array_equal(frames, reference)
    assert decode_frames(data, 2).shape == (2, 240, 320, 3)  # no short side: native size


def test_train_frames_follow_the_generator(media):
    data = media.normal.read_bytes()
    a = decode_frames(data, 4, rng=np.random.default_rng(1), short_side=32)
    assert np.array_equal(a, decode_frames(data, 4, rng=np.random.default_rng(1), short_side=32))
    assert not np.array_equal(a, decode_frames(data, 4, rng=np.random.default_rng(2), short_side=32))


def test_wide_video_keeps_aspect(media):
    assert decode_frames(media.wide.read_bytes(), 3, short_side=32).shape == (3, 32, 205, 3)


def test_video_shorter_than_num_frames_repeats(tmp_path):
    path = tmp_path / "two.mp4"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=64x48:rate=10",
                    "-frames:v", "2", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(path)], check=True)
    frames = decode_frames(path.read_bytes(), 6)
    assert frames.shape == (6, 48, 64, 3)
    assert np.array_equal(frames[0], frames[2]) and np.array_equal(frames[3], frames[5])
    assert not np.array_equal(frames[0], frames[5])


@pytest.mark.parametrize("name, reason", [("empty", "empty"), ("text", "not a video"),
                                          ("truncated", "truncated or corrupt"), ("audio", "no video stream"),
                                          ("image", "no frame count")])
def test_bad_bytes_raise_frame_decode_error(media, name, reason):
    with pytest.raises(FrameDecodeError) as info:
        decode_frames(getattr(media, name).read_bytes(), 4, short_side=32, rng=np.random.default_rng(0))
    assert info.value.reason == reason and str(info.value).startswith(reason)


def test_corrupt_video_fails_cleanly_or_decodes(media):
    # Noise inside the media data: the decoder may reject a packet or return damaged frames, but never crashes.
    try:
        frames = decode_frames(media.corrupt.read_bytes(), 4, short_side=32)
    except FrameDecodeError as exc:
        assert exc.reason
    else:
        assert frames.shape == (4, 32, 43, 3)
    with pytest.raises(FrameDecodeError):
        decode_frames(media.normal.read_bytes()[:2000], 4)
    with pytest.raises(ValueError):
        decode_frames(media.normal.read_bytes(), 0)
