import pytest

from schemas.shard_index import MAX_KEY, sample_key, shard_of, video_id_of


@pytest.mark.parametrize("video_id", ["abc123", "../../etc/passwd", "a/b\x00c", "视频.mp4", "x" * 300, "a.b.c", ""])
def test_keys_are_safe_member_stems_and_reversible(video_id):
    key = sample_key(video_id)
    assert key and len(key) <= MAX_KEY + 1
    assert all(ch.isalnum() and ch.isascii() for ch in key) and key == key.lower()
    if key.startswith("k"):
        assert video_id_of(key) == video_id


def test_shards_are_stable_and_spread():
    assert shard_of("abc", 16) == shard_of("abc", 16)
    assert len({shard_of(f"v{i}", 16) for i in range(1000)}) == 16
