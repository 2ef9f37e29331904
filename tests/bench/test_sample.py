"""The bundled demo corpus: every planted defect lands at its stage (the README's first command runs this)."""
from bench.quality import evaluate
from jobs import demo
from jobs.make_sample import SAMPLE_DIR
from pipeline.manifest import read_ledger


def test_demo_sample_lands_every_defect_at_its_stage(tmp_path, capsys):
    manifest = demo.run(["--output", str(tmp_path / "demo"), "--direct_num_workers=1"])
    out = capsys.readouterr().out
    assert "ledger:" in out and "kept" in out
    report = evaluate(read_ledger(manifest["ledger"]), str(SAMPLE_DIR / "truth.jsonl"))
    assert report["rows_match_input"]
    kinds = {k: v for k, v in report.items() if k.startswith("at expected stage")}
    assert len(kinds) >= 40
    for kind, rate in kinds.items():
        if "near_edit" not in kind:
            assert rate.startswith("1.0000"), (kind, rate)
    assert float(report["near-dup recall (removed as near_dup)"].split()[0]) >= 0.9
