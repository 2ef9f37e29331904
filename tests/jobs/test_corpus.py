"""``ykcurate corpus``: runs curated incrementally become one shard list, index, pretrain.csv and funnel, without
copying videos; the category cap applies across runs; runs not checked against each other are refused."""
import csv
import json

import pyarrow.parquet as pq
import pytest

from bench.media_sample import make_media_sample
from jobs import corpus, curate
from jobs.demo import TINY_RECIPE
from pipeline.manifest import read_ledger


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    records, _ = make_media_sample(root / "sample", clips=8)
    lines = records.read_bytes().splitlines(keepends=True)
    # run 0: four clips and the defects; run 1: the other four clips, a copy and a re-encode of run 0's first clip
    # (under other titles), and a repeat of run 0's first record
    assert [json.loads(line)["video_id"] for line in lines[8:10]] == ["dup_copy", "dup_reenc"]
    (root / "sample" / "a.jsonl").write_bytes(b"".join(lines[:4] + lines[10:]))
    (root / "sample" / "b.jsonl").write_bytes(b"".join(lines[4:10] + lines[:1]))
    common = ["--phase", "all", "--config", str(TINY_RECIPE), "--quiet", "--direct_num_workers=1"]
    curate.run(["--input", str(root / "sample" / "a.jsonl"), "--output", str(root / "run0"), *common])
    curate.run(["--input", str(root / "sample" / "b.jsonl"), "--output", str(root / "run1"), *common,
                "--against", str(root / "run0")])
    return root, [str(root / "run0"), str(root / "run1")]


def _kept(run):
    table = read_ledger(f"{run}/ledger", ["video_id", "status"])
    return {v for v, s in zip(table.column("video_id").to_pylist(), table.column("status").to_pylist()) if s == "kept"}


def test_corpus_lists_every_kept_video_once_without_copying(runs, tmp_path):
    root, (run0, run1) = runs
    repeat = read_ledger(f"{run1}/ledger").to_pylist()[-1]
    against = json.loads(open(f"{run1}/manifest.json").read())["against"]
    assert repeat["stage"] == "exact_dup" and against[0]["run"] == run0
    assert repeat["dup_of_run"] == against[0]["fingerprint"]
    rows = {r["video_id"]: r for r in read_ledger(f"{run1}/ledger").to_pylist()}
    for vid in ("dup_copy", "dup_reenc"):  # visual_dup across runs, from the earlier run's visual index
        assert (rows[vid]["stage"], rows[vid]["dup_of"], rows[vid]["dup_of_run"]) == (
            "visual_dup", "m000", against[0]["fingerprint"]), rows[vid]["reason"]
    manifest = corpus.run(["--runs", run0, run1, "--output", str(tmp_path / "c")])
    kept = _kept(run0) | _kept(run1)
    index = pq.read_table(tmp_path / "c" / "shards.parquet").to_pylist()
    assert sorted(r["video_id"] for r in index) == sorted(kept) and len(kept) == len(index) > 4
    assert {r["run"] for r in index} == {run0, run1}
    assert all(r["shard_uri"].startswith(r["run"] + "/shards/") for r in index)
    listed = (tmp_path / "c" / "shards.txt").read_text().split()
    assert set(listed) == {r["shard_uri"] for r in index}
    rows = list(csv.reader(open(tmp_path / "c" / "pretrain.csv", encoding="utf-8")))
    assert rows[0] == ["video_id:FILE", "title"] and len(rows) - 1 == len(kept)
    assert manifest["funnel"]["input"] == sum(json.loads(open(f"{r}/manifest.json").read())["funnel"]["input"]
                                              for r in (run0, run1))
    assert manifest["funnel"]["kept"] == len(kept) and not list((tmp_path / "c").glob("**/*.mp4"))


def test_category_cap_applies_across_runs(runs, tmp_path):
    _, (run0, run1) = runs
    manifest = corpus.run(["--runs", run0, run1, "--output", str(tmp_path / "c"), "--max-per-category", "3"])
    index = pq.read_table(tmp_path / "c" / "shards.parquet").to_pylist()
    assert manifest["selected"] == len(index) == 3  # every generated clip is in one category
    rows = list(csv.reader(open(tmp_path / "c" / "pretrain.csv", encoding="utf-8")))
    assert len(rows) == 4


def test_runs_not_checked_against_each_other_are_refused(runs, tmp_path, capsys):
    _, (run0, run1) = runs
    assert corpus.main(["--runs", run1, run0, "--output", str(tmp_path / "c")]) == 2
    assert "was not curated --against" in capsys.readouterr().err
    assert corpus.main(["--runs", str(tmp_path / "none"), "--output", str(tmp_path / "c")]) == 2
