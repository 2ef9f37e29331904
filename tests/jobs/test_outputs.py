"""Shards and tables of a curated run: readable by webdataset + a torch DataLoader and by Hugging Face ``datasets``
(its webdataset loader) unchanged, safe keys, byte-identical reruns."""
import hashlib
import json
import tarfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import torch
import webdataset as wds

from jobs.curate import run
from jobs.outputs import write_outputs
from pipeline.config import load_config
from tests.media_fixtures import media  # noqa: F401

IDS = ["plain", "../../etc/passwd", "a/b\x00c", "点.号.id", "x" * 300]
TITLES = ["周末去海边露营的一天", "老爸的拿手菜糖醋排骨", "王者荣耀李白连招教学", "第一次做蛋糕失败了", "猫咪和狗狗抢玩具"]


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def curated(media, tmp_path_factory):  # noqa: F811
    """One ``curate --phase all`` run of the five hostile ids (2 samples a shard, so several shards), shared by the
    readers below; yields its output folder and manifest."""
    import shutil
    tmp_path = tmp_path_factory.mktemp("outputs")
    path = tmp_path / "records.jsonl"
    lines = []
    for i, (vid, title) in enumerate(zip(IDS, TITLES)):
        video = tmp_path / f"v{i}.mp4"
        shutil.copy(media.normal, video)
        lines.append(json.dumps({"video_id": vid, "title": title, "duration": 12, "video_path": str(video),
                                 "md5": f"{i:032x}"}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    manifest = run(["--phase", "all", "--input", str(path), "--output", str(out), "--quiet",
                    "--direct_num_workers=1", "--set", "clip_score.mode=absolute", "--set", "clip_score.threshold=-1",
                    "--set", "visual_dup.threshold=1.01", "--set", "visual_dup.hashes=false",  # the five share one video: keep them all
                    "--set", "shards.samples_per_shard=2"])
    return out, manifest


def test_shards_index_tables_and_reruns(media, curated):  # noqa: F811
    out, manifest = curated
    assert manifest["outputs"]["kept"] == 5
    shards = sorted((out / "shards").glob("*.tar"))
    for shard in shards:  # member names stay inside the shard
        with tarfile.open(shard) as tar:
            for name in tar.getnames():
                assert "/" not in name and ".." not in name.split(".")[0] and "\x00" not in name
    loader = torch.utils.data.DataLoader(
        wds.WebDataset([str(s) for s in shards], shardshuffle=False, empty_check=False).to_tuple("json", "txt", "mp4"),
        batch_size=None, num_workers=2)
    seen = {json.loads(j)["video_id"]: (t.decode(), len(v)) for j, t, v in loader}
    assert set(seen) == set(IDS)
    assert all(size == media.normal.stat().st_size for _, size in seen.values())
    index = pq.read_table(out / "shards" / "index.parquet").to_pylist()
    assert sorted(r["video_id"] for r in index) == sorted(IDS)
    assert all(r["sha256"] == hashlib.sha256(media.normal.read_bytes()).hexdigest() for r in index)
    assert pq.read_table(out / "curated").num_rows == 5
    import duckdb
    import pandas as pd
    assert duckdb.sql(f"select count(*) from '{out}/ledger/*.parquet' where status = 'kept'").fetchall()[0][0] == 5
    assert set(pd.read_parquet(out / "curated")["video_id"]) == set(IDS)
    assert (out / "pretrain.csv").read_text(encoding="utf-8").splitlines()[0] == "video_id:FILE,title"

    before = _digests(out / "shards")
    write_outputs(str(out), manifest_config(manifest), ["--direct_num_workers=2"],
                  input_root=manifest["input"]["root"])
    assert _digests(out / "shards") == before


def manifest_config(manifest):
    config = load_config()
    config.shards.samples_per_shard = manifest["config"]["shards"]["samples_per_shard"]
    return config


def _shard_samples(shards):
    """Every sample as the tar holds it: {key: {extension: bytes}}."""
    samples = {}
    for shard in shards:
        with tarfile.open(shard) as tar:
            for member in tar.getmembers():
                key, ext = member.name.split(".", 1)
                samples.setdefault(key, {})[ext] = tar.extractfile(member).read()
    return samples


def test_hf_datasets_webdataset_loader_reads_shards_unchanged(media, curated, tmp_path):  # noqa: F811
    import datasets

    from transforms.shards import _json_safe
    out, _ = curated
    shards = sorted((out / "shards").glob("*.tar"))
    assert len(shards) > 1  # the loader infers its features from the first shard: the others must fit them
    ds = datasets.load_dataset("webdataset", data_files={"train": [str(s) for s in shards]}, split="train",
                               cache_dir=str(tmp_path / "hf_cache"))  # offline (HF_HUB_OFFLINE=1, conftest)
    assert isinstance(ds.features["mp4"], datasets.Video) and ds.num_rows == len(IDS)
    ds = ds.cast_column("mp4", datasets.Video(decode=False))  # raw bytes; decoding would need torchcodec
    held = _shard_samples(shards)
    index = {r["key"]: r for r in pq.read_table(out / "shards" / "index.parquet").to_pylist()}
    ledger = {r["video_id"]: r for r in pq.read_table(out / "ledger").to_pylist() if r["status"] == "kept"}
    seen = set()
    for sample in ds:
        key = sample["__key__"]
        assert set(held[key]) == {"json", "txt", "mp4"} and key in index
        assert sample["txt"] == held[key]["txt"].decode("utf-8")
        assert sample["json"] == json.loads(held[key]["json"])
        row = ledger[sample["json"]["video_id"]]
        assert sample["json"] == {k: _json_safe(v) for k, v in row.items()}
        assert sample["txt"] == row["title"] and index[key]["video_id"] == row["video_id"]
        video = sample["mp4"]["bytes"]  # == the file curated, byte for byte
        source = Path(row["video_path"]) if Path(row["video_path"]).is_absolute() else \
            Path(json.loads((out / "manifest.json").read_text())["input"]["root"]) / row["video_path"]
        assert video == held[key]["mp4"] == source.read_bytes() == media.normal.read_bytes()
        assert hashlib.sha256(video).hexdigest() == index[key]["sha256"]
        seen.add(row["video_id"])
    assert seen == set(IDS) == set(ledger)
