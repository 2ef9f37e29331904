"""``ykcurate audit``: funnel, figures and samples from the ledger; hostile titles render as text."""
import json

from jobs import audit
from jobs.curate import run as curate

HOSTILE = ["<script>alert(1)</script>", '<img src=x onerror="alert(2)">']


def test_audit_report_escapes_titles_and_filters(tmp_path, capsys):
    records = [{"video_id": f"h{i}", "title": t, "duration": 30} for i, t in enumerate(HOSTILE)]
    records += [{"video_id": "ok", "title": "周末去海边露营的一天", "duration": 30, "category": "旅游"},
                {"video_id": "short", "title": "猫咪", "duration": 30, "category": "宠物"},
                {"video_id": "long", "title": "正常的标题很好看", "duration": 500}]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    curate(["--phase", "text", "--input", str(path), "--output", str(tmp_path / "out"), "--quiet",
            "--direct_num_workers=1"])
    report = audit.run(["--run", str(tmp_path / "out"), "--sample", "3"])
    html = (tmp_path / "out" / "audit.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert "<img src=x" not in html and "onerror=&#34;alert(2)&#34;" in html
    assert "data:image/png;base64," in html  # histograms embedded, no external files
    stages = {group["stage"] for group in report["samples"]}
    assert {"language", "title_quality", "duration"} <= stages
    assert {name for name, _, _ in report["categories"]} >= {"旅游", "宠物"}
    out = capsys.readouterr().out
    assert "kept" in out and "rejected samples (stage: kind of reason, records):" in out
    only = audit.run(["--run", str(tmp_path / "out"), "--stage", "duration", "--html", str(tmp_path / "d.html")])
    assert {group["stage"] for group in only["samples"]} == {"duration"}
    assert audit.main(["--run", str(tmp_path / "nowhere")]) == 2


def test_review_loop_estimates_error_rates_with_intervals(tmp_path):
    import csv

    from jobs.review import wilson
    records = [{"video_id": f"s{i}", "title": "猫咪", "duration": 30} for i in range(20)]  # too short
    records += [{"video_id": f"k{i}", "title": f"周末去海边露营的第{i}天", "duration": 30 + 2 * i} for i in range(20)]
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    curate(["--phase", "text", "--input", str(path), "--output", str(tmp_path / "out"), "--quiet",
            "--direct_num_workers=1"])
    sheet = tmp_path / "review.csv"
    assert audit.run(["--run", str(tmp_path / "out"), "--export-review", str(sheet)])["exported"] == 40
    rows = list(csv.DictReader(open(sheet, encoding="utf-8")))
    for row in rows:  # the reviewer disagrees with 5 of the 20 title_quality rejections and 2 of 20 keeps
        if row["stage"] == "title_quality":
            row["verdict"] = "keep" if row["video_id"] in {f"s{i}" for i in range(5)} else "reject"
        elif row["status"] == "kept":
            row["verdict"] = "reject" if row["video_id"] in ("k1", "k2") else "keep"
            row["should_stage"] = "near_dup" if row["verdict"] == "reject" else ""
    with open(sheet, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, rows[0].keys())
        writer.writeheader()
        writer.writerows(rows)
    result = audit.run(["--run", str(tmp_path / "out"), "--ingest-review", str(sheet)])
    tq = result["stages"]["title_quality"]
    assert (tq["reviewed"], tq["false_reject"]) == (20, 5) and tq["ci95"][0] < 0.25 < tq["ci95"][1]
    assert result["false_keep"]["count"] == 2 and result["false_keep"]["by_stage"] == {"near_dup": 2}
    assert wilson(0, 10)[0] == 0.0 and wilson(10, 10)[1] == 1.0
