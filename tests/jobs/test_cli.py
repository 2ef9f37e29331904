"""The ``ykcurate`` entry point and its smaller subcommands."""
import subprocess
import sys

from jobs import cli, train_text_classifier


def test_help_lists_every_subcommand(capsys):
    assert cli.main(["--help"]) == 0
    out = capsys.readouterr().out
    for name in cli.SUBCOMMANDS:
        assert name in out
    assert cli.main(["no-such-command"]) == 2


def test_console_script_style_invocation_reports_bad_input():
    proc = subprocess.run([sys.executable, "-m", "jobs.cli", "curate", "--input", "/nonexistent/*.jsonl",
                           "--output", "/tmp/never"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "no input files match" in proc.stderr


def test_train_text_classifier_command(tmp_path):
    rows = ["title,label"]
    rows += [f"今天做个红烧肉第{i}集,safe" for i in range(60)] + [f"网络赌场充值返利第{i}期,unsafe" for i in range(60)]
    (tmp_path / "labelled.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    report = train_text_classifier.run(["--input", str(tmp_path / "labelled.csv"), "--output",
                                        str(tmp_path / "m.bin"), "--no-quantize"])
    assert (tmp_path / "m.bin").exists() and set(report["labels"]) >= {"safe", "unsafe"}
    assert train_text_classifier.main(["--input", str(tmp_path / "missing.csv"), "--output", "x"]) == 2
