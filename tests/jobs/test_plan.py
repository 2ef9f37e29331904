"""``ykcurate plan``: the projection separates fixed from per-record cost and scales pieces with partitions."""
from jobs import plan


def measured(records, cpu, pieces, parts=8, bytes_in=None):
    return {"records": records, "cpu_seconds": cpu, "shuffle_pieces": pieces, "shuffle_bytes": 100 * records,
            "bytes_written": 50 * records + 1000, "ledger_parts": 1, "other_objects": 3,
            "manifest": {"partitions": parts, "phase": "text", "funnel": {"kept": records // 2},
                         "input": {"bytes": bytes_in or 200 * records}, "config": {"read": {"split_bytes": 8 << 20}}}}


def test_projection_is_fixed_plus_per_record():
    small, large = measured(1000, 10 + 0.001 * 1000, 100 + 1000), measured(2000, 10 + 0.001 * 2000, 100 + 2000)
    p = plan.project(small, large, 1_000_000, workers=1, vcpus=2, gpu_rate=60)
    assert abs(p["cpu_seconds"] - (10 + 1000)) < 1e-6 and abs(p["fixed_cpu_seconds"] - 10) < 1e-6
    assert p["partitions"] == 8 and abs(p["shuffle_pieces"] - (100 + 1_000_000)) < 1e-6
    assert p["shuffle_bytes"] == 100 * 1_000_000 and p["bytes_written"] == 50 * 1_000_000 + 1000
    assert p["objects_written"] == -(-(200 * 1_000_000) // (8 << 20)) + 3
    big = plan.project(small, large, 1_000_000, workers=100, vcpus=4, gpu_rate=60)
    assert big["partitions"] == 800 and big["wall_hours"] == big["cpu_seconds"] / 400 / 3600
    assert abs(big["shuffle_pieces"] - (100 * 100 ** 2 + 1_000_000 * 100)) < 1e-3  # P^2 fixed, P x records


def test_check_reports_ratios():
    small, large = measured(1000, 11, 1100), measured(2000, 12, 2100)
    bigger = measured(20000, 30, 20100)
    check = plan.compare(plan.project(small, large, 20000, 1, 1, 60), bigger)
    assert abs(check["figures"]["cpu_seconds"]["ratio"] - 1.0) < 1e-9
    assert abs(check["figures"]["shuffle_pieces"]["ratio"] - 1.0) < 1e-9


def test_misuse_is_one_line_and_exit_2(tmp_path, capsys):
    assert plan.main(["--input", str(tmp_path / "nope.jsonl"), "--records", "10"]) == 2
    assert "JSONL" in capsys.readouterr().err
    assert plan.main(["--input", str(tmp_path / "x.jsonl"), "--records", "0"]) == 2
