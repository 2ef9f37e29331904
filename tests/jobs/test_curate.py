"""The text phase end to end through ``jobs.curate.run`` on the FnApiRunner (and the job-service protocol)."""
import json
import socket
import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from jobs.curate import UsageError, main, run
from pipeline.manifest import read_ledger

GOOD = [
    {"video_id": "a1", "title": "王者荣耀李白连招教学", "duration": 30.0, "category": "游戏", "md5": "0" * 32},
    {"video_id": "a2", "title": "王者荣耀李白连招教程", "duration": 30.5},
    {"video_id": "a3", "title": "王者荣耀李白连招教学（高清版）", "duration": 29.8},
    {"video_id": "b1", "title": "今天做个红烧肉", "duration": 50, "uploader": "extra field kept"},
    {"video_id": "b1", "title": "今天做个红烧肉", "duration": 50},
    {"video_id": "b2", "title": "今天做个红烧肉", "duration": 50},
    {"video_id": "c1", "title": "周末去海边露营的一天", "duration": 70, "md5": "0" * 32},
    {"video_id": "c2", "title": "老爸的拿手菜糖醋排骨", "duration": 44, "video_path": "v/c2.mp4"},
    {"video_id": "c3", "title": "第一次做蛋糕失败了", "duration": 44, "video_path": "v/c2.mp4"},
    {"video_id": "d1", "title": "Hello world video for you", "duration": 50},
    {"video_id": "d2", "title": "網絡賭場教你贏錢", "duration": 50},
    {"video_id": "d3", "title": "短", "duration": 50},
    {"video_id": "d4", "title": "正常的标题很好", "duration": 5},
    {"video_id": "d5", "title": "這是一個繁體標題的測評視頻", "duration": 61.5, "category": 25},
    {"video_id": "e1", "title": "加我13812345678领取福利", "duration": 20},
]
BAD_LINES = [
    ('{"title": "没有id的视频标题"}', "missing video_id"),
    ('{"video_id": "x1"}', "missing title"),
    ('{"video_id": "x2", "title": "坏掉的行', "malformed JSON"),
    ('{"video_id": "x3", "title": "时长不是数字的视频", "duration": "abc"}', "duration"),
    ('{"video_id": "x4", "title": "时长为负数的视频", "duration": -3}', "negative"),
    ('{"video_id": "x5", "title": "时长无穷大的视频", "duration": Infinity}', "infinite"),
    ('{"video_id": "x6", "title": "时长是NaN的视频", "duration": NaN}', "NaN"),
    ('{"video_id": "x7", "title": "' + "长" * 1001 + '"}', "longer than 1000"),
    ('{"video_id": "x8", "title": "未知分类的视频", "category": "不存在的分类"}', "unknown category"),
    ('[1, 2, 3]', "not an object"),
]
EXPECT = {"a1": ("kept", None), "a2": ("rejected", "near_dup"), "a3": ("rejected", "near_dup"),
          "b2": ("rejected", "exact_dup"), "c1": ("rejected", "exact_dup"), "c2": ("kept", None),
          "c3": ("rejected", "exact_dup"), "d1": ("rejected", "language"), "d2": ("rejected", "text_safety"),
          "d3": ("rejected", "title_quality"), "d4": ("rejected", "duration"), "d5": ("kept", None),
          "e1": ("rejected", "title_quality")}
FAST = ["--direct_num_workers=1", "--quiet"]


@pytest.fixture()
def corpus(tmp_path):
    path = tmp_path / "records.jsonl"
    with open(path, "wb") as handle:
        for record in GOOD:
            handle.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
        for line, _ in BAD_LINES:
            handle.write(line.encode() + b"\n")
        handle.write(b'{"video_id": "x9", "title": "\xff\xfe bad bytes"}\n')
        handle.write(b"\n")  # blank lines are not records
    return path


def _rows(out):
    return read_ledger(str(out / "ledger")).to_pylist()


def test_every_record_lands_once_at_its_stage(corpus, tmp_path):
    manifest = run(["--phase", "text", "--input", str(corpus), "--output", str(tmp_path / "out"), *FAST])
    rows = _rows(tmp_path / "out")
    assert len(rows) == len(GOOD) + len(BAD_LINES) + 1 == manifest["funnel"]["input"]
    by_id = {}
    for row in rows:
        by_id.setdefault(row["video_id"], []).append(row)
    for vid, (status, stage) in EXPECT.items():
        assert (by_id[vid][0]["status"], by_id[vid][0]["stage"]) == (status, stage), (vid, by_id[vid][0]["reason"])
    b1 = sorted(by_id["b1"], key=lambda r: r["record_id"])
    assert [r["status"] for r in b1] == ["kept", "rejected"] and "repeated video_id" in b1[1]["reason"]
    assert by_id["a2"][0]["dup_of"] == "a1" and by_id["a2"][0]["near_dup_cluster"] == by_id["a1"][0]["record_id"]
    assert json.loads(b1[0]["extra"]) == {"uploader": "extra field kept"}
    assert by_id["d5"][0]["title"] == "这是一个繁体标题的测评视频" and by_id["d5"][0]["title_traditional"]
    assert by_id["d5"][0]["category"] == "科技"
    assert by_id["c2"][0]["video_path"] == "v/c2.mp4"  # relative to the input root (no machine paths)
    errors = [r for r in rows if r["status"] == "error"]
    assert len(errors) == len(BAD_LINES) + 1 and {r["stage"] for r in errors} == {"schema"}
    reasons = " | ".join(r["reason"] for r in errors)
    for _, expected in BAD_LINES:
        assert expected in reasons
    assert "invalid UTF-8" in reasons
    assert {r["video_id"] for r in errors} >= {"x2", "x9"}  # ids salvaged from unparseable lines
    assert manifest["funnel"]["kept"] == sum(r["status"] == "kept" for r in rows)


def test_runs_agree_across_workers_and_shuffle_modes(corpus, tmp_path):
    run(["--phase", "text", "--input", str(corpus), "--output", str(tmp_path / "one"), *FAST])
    run(["--phase", "text", "--input", str(corpus), "--output", str(tmp_path / "two"), "--quiet",
         "--direct_num_workers=2", "--direct_running_mode=multi_processing"])
    run(["--phase", "text", "--input", str(corpus), "--output", str(tmp_path / "three"), *FAST,
         "--set", "shuffle.spill=false"])
    key = [("video_id", "ascending"), ("record_id", "ascending")]
    one = read_ledger(str(tmp_path / "one" / "ledger")).sort_by(key)
    assert one.equals(read_ledger(str(tmp_path / "two" / "ledger")).sort_by(key))
    assert one.equals(read_ledger(str(tmp_path / "three" / "ledger")).sort_by(key))
    assert not (tmp_path / "one" / "_spill").exists()  # the spill folder is removed after a run


def _free_port():
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def test_portable_runner_against_python_job_service(corpus, tmp_path):
    port = _free_port()
    service = subprocess.Popen([sys.executable, "-m", "apache_beam.runners.portability.local_job_service_main",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            with socket.socket() as sock:
                if sock.connect_ex(("localhost", port)) == 0:
                    break
            time.sleep(0.1)
        run(["--phase", "text", "--input", str(corpus), "--output", str(tmp_path / "portable"), "--quiet",
             "--runner=PortableRunner", f"--job_endpoint=localhost:{port}", "--environment_type=LOOPBACK"])
    finally:
        service.terminate()
        service.wait(timeout=30)
    run(["--phase", "text", "--input", str(corpus), "--output", str(tmp_path / "default"), *FAST])
    key = [("video_id", "ascending"), ("record_id", "ascending")]
    assert read_ledger(str(tmp_path / "portable" / "ledger")).sort_by(key).equals(
        read_ledger(str(tmp_path / "default" / "ledger")).sort_by(key))


def test_youku_csv_parquet_and_glob_inputs(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "pretrain.csv").write_text(
        "video_id:FILE,title,label\nvideos/pretrain/abc123.flv,今天做个红烧肉,美食制作\n"
        "videos/pretrain/def456.flv,\"周末去海边,露营的一天\",旅游\n", encoding="utf-8")
    pq.write_table(pa.table({"video_id": ["p1", "p2"], "title": ["老爸的拿手菜糖醋排骨", None],
                             "duration": [44.0, 30.0]}), tmp_path / "in" / "more.parquet")
    run(["--phase", "text", "--input", str(tmp_path / "in" / "*"), "--output", str(tmp_path / "out"), *FAST])
    rows = {r["video_id"]: r for r in _rows(tmp_path / "out")}
    assert rows["abc123"]["video_path"] == "videos/pretrain/abc123.flv"
    assert rows["abc123"]["source"] == "pretrain.csv@26" and rows["p1"]["source"] == "more.parquet#row0"
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["input"]["root"] == str(tmp_path / "in")
    assert rows["abc123"]["category"] == "美食制作" and rows["abc123"]["status"] == "kept"
    assert rows["def456"]["title"] == "周末去海边,露营的一天"
    assert rows["p1"]["status"] == "kept" and rows["p2"]["reason"] == "missing title"


def test_unusable_config_or_input_is_one_line_and_exit_2(tmp_path, capsys, corpus):
    assert main(["--input", str(tmp_path / "nope*.jsonl"), "--output", str(tmp_path / "o")]) == 2
    assert "no input files match" in capsys.readouterr().err
    assert main(["--input", str(corpus), "--output", str(tmp_path / "o"), "--set", "duration.max_secs=3"]) == 2
    assert "unknown config key duration.max_secs" in capsys.readouterr().err
    with pytest.raises(UsageError):
        run(["--input", str(corpus), "--output", str(tmp_path / "o"), "--set", "duration.min_seconds=abc"])


def test_a_title_repeated_many_times_is_linear_and_keeps_one_per_duration_chain(tmp_path):
    path = tmp_path / "repeated.jsonl"
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(20_000):
            duration = 30.0 if i % 2 else 90.0 + (i % 7) * 0.2  # two chains: 30 s (exact copies) and 90-91.2 s
            handle.write(json.dumps({"video_id": f"r{i:06d}", "title": "搞笑视频合集来了", "duration": duration},
                                    ensure_ascii=False) + "\n")
        handle.write(json.dumps({"video_id": "other", "title": "今天做个红烧肉", "duration": 30.0},
                                ensure_ascii=False) + "\n")
    manifest = run(["--phase", "text", "--input", str(path), "--output", str(tmp_path / "out"), *FAST])
    rows = {r["video_id"]: r for r in _rows(tmp_path / "out")}
    assert manifest["funnel"]["input"] == 20_001
    kept = sorted(vid for vid, r in rows.items() if r["status"] == "kept")
    assert kept == ["other", "r000000", "r000001"]  # one per duration chain, the earliest record of each
    assert rows["r000003"]["stage"] == "exact_dup" and rows["r000002"]["stage"] == "near_dup"
    assert rows["r000002"]["dup_of"] == "r000000"
    # no hot key: identical titles collapse within each batch before the shuffle, so the repeated title crosses
    # it as one small row per batch (20,000 records as members would be ~1 MB)
    assert manifest["shuffle"]["by_payload"]["texts"]["bytes"] < 60_000, manifest["shuffle"]["by_payload"]["texts"]
