"""The media chain reads URIs through the registered reader (Beam FileSystems in the pipeline) as bytes, with the same
results as a local path."""
import pipeline.uris  # noqa: F401 - registers the reader
import pytest

from filters import media_chain
from filters.media_chain import MediaChain, read_remote
from filters.video_probe import MediaError
from pipeline.config import Config
from schemas.records import MediaItem
from tests.media_fixtures import media  # noqa: F401


def test_uri_sources_decode_from_bytes_like_paths(media, monkeypatch):  # noqa: F811
    chain = MediaChain(Config())
    local, _ = chain.process(MediaItem(1, "v", str(media.normal), 30.0, "标题", None))
    monkeypatch.setattr(media_chain, "read_remote", lambda uri, limit: media.normal.read_bytes())
    remote, frames = chain.process(MediaItem(1, "v", "gs://bucket/normal.mp4", 30.0, "标题", None))
    assert frames is not None and frames.shape[0] == 8
    assert {k: v for k, v in remote.items() if k != "video_bytes"} == {
        k: v for k, v in local.items() if k != "video_bytes"}


def test_unreadable_uri_is_a_decode_error_for_that_record_only():
    with pytest.raises(MediaError, match="cannot read"):
        read_remote("nosuchscheme://bucket/video.mp4", 1 << 20)
    updates, frames = MediaChain(Config()).process(
        MediaItem(1, "v", "nosuchscheme://bucket/video.mp4", 30.0, "标题", None))
    assert (updates["status"], updates["stage"]) == ("error", "decode") and frames is None
