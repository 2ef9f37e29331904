"""VisualDedup and WriteShards on their own, in a real pipeline: re-encodes (near-identical embeddings) are linked
and distinct videos are not; shards hold every kept row once, under safe member names."""
from __future__ import annotations

import io
import json
import tarfile

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to

from pipeline.config import load_config, resolve_partitions
from schemas.ledger import LEDGER_SCHEMA
from schemas.records import VisualItem
from transforms.batching import Exchange
from transforms.media import VisualDedup, visual_entries
from transforms.shards import WriteShards

EXCHANGE = Exchange()


def _unit(v):
    return (v / np.linalg.norm(v)).astype(np.float32)


def test_visual_dedup_links_re_encodes_only():
    """a/b: near-identical embeddings; c/e: unrelated embeddings (a weak model) but the same frames by hash; d:
    distinct by both."""
    config = resolve_partitions(load_config(), 0, 1)
    rng = np.random.default_rng(0)
    base = rng.normal(size=(5, 64)).astype(np.float32)
    frames = rng.integers(1, 2**63, size=(3, 8), dtype=np.uint64)
    videos = [VisualItem(1, "a", _unit(base[0]), 30.0, frames[0]),
              VisualItem(2, "b", _unit(base[0] + rng.normal(scale=0.01, size=64)), 30.0, frames[1]),
              VisualItem(3, "c", _unit(base[1]), 30.0, frames[2]),
              VisualItem(4, "d", _unit(base[2]), 30.0, None),
              VisualItem(5, "e", _unit(base[3]), 30.5, frames[2] ^ np.uint64(0b101))]
    entries = list(visual_entries(videos, config, EXCHANGE))
    with beam.Pipeline(runner=FnApiRunner()) as p:
        edges = p | beam.Create(entries, reshuffle=False) | VisualDedup(config, EXCHANGE)
        pairs = edges | beam.FlatMap(lambda batch: [tuple(sorted((a[0], b[0]))) for a, b in batch]) | beam.Distinct()
        assert_that(pairs, equal_to([(1, 2), (3, 5)]))


def test_write_shards_holds_every_kept_row_once(tmp_path):
    video = tmp_path / "clip.json"  # a real video under a hostile name
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    (tmp_path / "b.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(32))
    rows = [{"video_id": "a", "status": "kept", "title": "标题一", "video_path": "clip.json", "record_id": 1},
            {"video_id": "b", "status": "kept", "title": "标题二", "video_path": "b.mp4", "record_id": 2},
            {"video_id": "c", "status": "rejected", "stage": "language", "title": "x", "record_id": 3}]
    ledger = tmp_path / "part-000000.parquet"
    pq.write_table(pa.Table.from_pylist(rows, schema=LEDGER_SCHEMA), ledger)
    shards, index = tmp_path / "shards", tmp_path / "index"
    shards.mkdir()
    with beam.Pipeline(runner=FnApiRunner()) as p:
        written = (p | beam.Create([str(ledger)]) | WriteShards(str(shards), 2, None, str(index), str(tmp_path)))
        assert_that(written | beam.Map(lambda pair: pair[1]) | beam.CombineGlobally(sum), equal_to([2]))
    members = {}
    for tar_path in shards.glob("*.tar"):
        with tarfile.open(tar_path) as tar:
            for member in tar.getmembers():
                members[member.name] = tar.extractfile(member).read()
    names = sorted(name.split(".", 1)[1] for name in members)
    assert names == ["json", "json", "mp4", "txt", "txt", "video"]
    metas = [json.loads(blob) for name, blob in members.items() if name.endswith(".json")]
    assert {m["video_id"] for m in metas} == {"a", "b"}
    assert next(m for m in metas if m["video_id"] == "a")["video_name"] == "clip.json"
    assert next(blob for name, blob in members.items() if name.endswith(".video")) == video.read_bytes()
    assert sum(pq.read_table(io.BytesIO(p.read_bytes())).num_rows for p in index.glob("*.parquet")) == 2
