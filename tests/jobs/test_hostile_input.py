"""Hostile input end to end: every record lands exactly once with a reason, whatever it holds, however it is
packed (plain, gzip, bzip2, zstd, split or not), and media junk never reaches a shard under a misleading name."""
from __future__ import annotations

import bz2
import gzip
import json
import tarfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import zstandard

from jobs import curate
from tests.hostile_corpus import CSV_RECORDS, media_cases, text_cases, write_hostile_corpus


def _ledger(run: Path) -> list[dict]:
    return sorted(pq.read_table(run / "ledger").to_pylist(), key=lambda row: row["record_id"])


def _curate(*args: str) -> dict:
    return curate.run([*args, "--quiet", "--set", "read.split_bytes=2048"])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    write_hostile_corpus(root, media=False)
    return root


@pytest.fixture(scope="module")
def text_run(corpus: Path, tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("runs") / "plain"
    _curate("--phase", "text", "--input", str(corpus / "hostile.jsonl"), "--output", str(out))
    return _ledger(out)


def test_at_least_fifty_kinds():
    assert len(text_cases()) + len(media_cases(Path("v"))) >= 50


def test_every_hostile_record_lands_once_where_planted(text_run):
    cases = text_cases()
    assert len(text_run) == len(cases)  # blank lines between records are not records
    assert len({row["record_id"] for row in text_run}) == len(cases)
    for case, row in zip(cases, text_run):
        if case.stage is not None:
            assert row["stage"] == case.stage, (case.kind, row)
        if row["status"] != "kept":
            assert row["reason"], case.kind


def test_reasons_name_the_field(text_run):
    by_kind = dict(zip((case.kind for case in text_cases()), text_run))
    assert "title" in by_kind["surrogate-title"]["reason"]
    assert "video_id" in by_kind["surrogate-id"]["reason"]
    assert "uploader" in by_kind["surrogate-extra-value"]["reason"]
    assert "'x'" in by_kind["deep-extra"]["reason"] and "nested" in by_kind["deep-extra"]["reason"]
    assert "duration" in by_kind["huge-duration"]["reason"] and "401 digits" in by_kind["huge-duration"]["reason"]
    assert "'views'" in by_kind["5000-digit-extra"]["reason"]
    assert by_kind["surrogate-id"]["video_id"] == "h-\ufffd"  # stored, with the surrogate made visible


def test_titles_lose_control_characters_and_extras_keep_underscore_fields(text_run):
    by_kind = dict(zip((case.kind for case in text_cases()), text_run))
    controls = by_kind["title-controls"]
    assert controls["title"] == "好看的视频合集完整版本分享" and controls["title_stripped"] == 6
    assert by_kind["title-bidi"]["title_stripped"] == 2 and "\u202e" not in by_kind["title-bidi"]["title"]
    extra = json.loads(by_kind["underscore-extra"]["extra"])
    assert extra == {"_internal": "keep me", "__proto__": "and me"}


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".zst", ""])
def test_compressed_input_reads_whole(corpus, text_run, tmp_path, suffix):
    data = (corpus / "hostile.jsonl").read_bytes()
    packed = {".gz": gzip.compress, ".bz2": bz2.compress, ".zst": zstandard.ZstdCompressor().compress,
              "": gzip.compress}[suffix](data)
    name = "hostile.jsonl" + suffix if suffix else "by-magic.jsonl"  # no suffix: gzip found by its magic bytes
    (tmp_path / name).write_bytes(packed)
    _curate("--phase", "text", "--input", str(tmp_path / name), "--output", str(tmp_path / "out"))
    got = _ledger(tmp_path / "out")
    assert [(r["status"], r["stage"], r["video_id"]) for r in got] == \
        [(r["status"], r["stage"], r["video_id"]) for r in text_run]


def test_csv_quoted_newlines_are_one_record(corpus, tmp_path):
    _curate("--phase", "text", "--input", str(corpus / "quoted.csv"), "--output", str(tmp_path / "out"))
    rows = _ledger(tmp_path / "out")
    assert len(rows) == CSV_RECORDS
    assert rows[0]["title_raw"] == "周末在家做红烧肉的详细步骤\n第二行" and rows[0]["title"] == "周末在家做红烧肉的详细步骤 第二行"
    assert rows[1]["title_raw"] == '带"引号"的标题也很正常的视频'
    assert [r["status"] for r in rows[3:]] == ["error", "error"]


def test_media_junk_lands_and_shards_are_safe_and_identical(tmp_path):
    write_hostile_corpus(tmp_path / "in")
    runs = []
    for name in ("a", "b"):
        _curate("--input", str(tmp_path / "in" / "hostile.jsonl"), "--output", str(tmp_path / name),
                "--set", "clip_score.percentile=0")
        runs.append(tmp_path / name)
    cases = text_cases() + media_cases(tmp_path / "in" / "videos")
    rows = _ledger(runs[0])
    assert len(rows) == len(cases)
    for case, row in zip(cases, rows):
        if case.stage is not None:
            assert row["stage"] == case.stage, (case.kind, row)
    shards = sorted(p.name for p in (runs[0] / "shards").glob("*.tar"))
    assert shards and shards == sorted(p.name for p in (runs[1] / "shards").glob("*.tar"))
    for name in shards:
        assert (runs[0] / "shards" / name).read_bytes() == (runs[1] / "shards" / name).read_bytes()
    with tarfile.open(runs[0] / "shards" / shards[0]) as tar:
        members = {m.name.split(".", 1)[1] for m in tar.getmembers()}
        metas = [json.loads(tar.extractfile(m).read()) for m in tar.getmembers() if m.name.endswith(".json")]
    assert members <= {"json", "txt", "mp4", "video"} and "video" in members
    assert {meta.get("video_name") for meta in metas} >= {"x.json", "x.txt", "clip.m p4!"}
    for row in rows + metas:
        for value in row.values():
            assert not (isinstance(value, str) and (value.startswith("/") or str(tmp_path) in value)), row
