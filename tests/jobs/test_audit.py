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
    assert "kept" in out and "rejected samples:" in out
    only = audit.run(["--run", str(tmp_path / "out"), "--stage", "duration", "--html", str(tmp_path / "d.html")])
    assert {group["stage"] for group in only["samples"]} == {"duration"}
    assert audit.main(["--run", str(tmp_path / "nowhere")]) == 2
