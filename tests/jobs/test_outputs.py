"""Shards and tables of a curated run: readable by webdataset + a torch DataLoader, safe keys, byte-identical reruns."""
import hashlib
import json
import tarfile

import pyarrow.parquet as pq
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


def test_shards_index_tables_and_reruns(media, tmp_path):  # noqa: F811
    import shutil
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
                    "--set", "visual_dup.threshold=1.01"])  # the five share one video: keep them all here
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
    write_outputs(str(out), manifest_config(manifest), ["--direct_num_workers=2"])
    assert _digests(out / "shards") == before


def manifest_config(manifest):
    config = load_config()
    config.shards.samples_per_shard = manifest["config"]["shards"]["samples_per_shard"]
    return config
