"""Every unusable option, config or input: exit status 2 and exactly one line on stderr, before anything runs."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from jobs import cli, curate, reshard

GOOD = '{"video_id": "a", "title": "周末在家做红烧肉的详细步骤", "duration": 30}\n'


@pytest.fixture()
def records(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(GOOD, encoding="utf-8")
    return path


def _one_line_exit_2(main, argv, capsys) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("ykcurate"), err
    return err


@pytest.mark.parametrize("extra, message", [
    (["--phse", "text"], "unknown option --phse (did you mean --phase?)"),
    (["--phase", "txt"], "invalid choice"),
    (["--over"], "unknown option --over"),
    (["stray"], "unexpected argument 'stray'"),
    (["--runner=FlinkRunner", "--flink_mastr=x:1"], "did you mean --flink_master?"),
    (["--direct_num_workers=abc"], "invalid int value"),
    (["--set", "read.split_bytes=0"], "read.split_bytes"),
    (["--set", "near_dup.bands=0"], "near_dup.bands"),
    (["--set", "near_dup.num_perm=0"], "near_dup.num_perm"),
    (["--set", "read.max_title_chars=-1"], "read.max_title_chars"),
    (["--set", "near_dup.bands=30"], "must not exceed near_dup.num_perm"),
    (["--set", "duration.min_seconds=200"], "must not exceed duration.max_seconds"),
    (["--set", "duration.max_seconds=.nan"], "duration.max_seconds"),
    (["--set", "clip.device=gpu"], "clip.device"),
    (["--set", "clip_score.mode=best"], "clip_score.mode"),
    (["--set", "near_dup.bands=["], "expected a number"),
    (["--set", "nosuch.key=1"], "unknown config key nosuch"),
    (["--set", "novalue"], "key=value"),
])
def test_bad_options_and_settings(records, tmp_path, capsys, extra, message):
    err = _one_line_exit_2(curate.main, ["--input", str(records), "--output", str(tmp_path / "out"), *extra],
                           capsys)
    assert message in err
    assert not (tmp_path / "out").exists()  # refused before the run folder was touched


def _bad_inputs(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.jsonl").write_text("\n  \n\t\n", encoding="utf-8")
    (tmp_path / "header.csv").write_text("video_id,title\n", encoding="utf-8")
    (tmp_path / "corrupt.parquet").write_bytes(b"PAR1" + bytes(range(256)) * 4)
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    (tmp_path / "folder.jsonl").mkdir()
    os.mkfifo(tmp_path / "pipe.jsonl")
    return {"empty.jsonl": "input is empty", "blank.jsonl": "no records", "header.csv": "no records",
            "corrupt.parquet": "cannot read Parquet file", "notes.txt": "unsupported input format",
            "folder.jsonl": "is a directory", "pipe.jsonl": "is a FIFO", "missing*.jsonl": "no input files match"}


def test_unusable_inputs(tmp_path, capsys):
    for name, message in _bad_inputs(tmp_path).items():
        err = _one_line_exit_2(curate.main, ["--input", str(tmp_path / name), "--output", str(tmp_path / "o")],
                               capsys)
        assert message in err, (name, err)


def test_bad_yaml_and_output_that_is_a_file(records, tmp_path, capsys):
    (tmp_path / "bad.yaml").write_text("read:\n  batch_size: [1\n", encoding="utf-8")
    err = _one_line_exit_2(curate.main, ["--input", str(records), "--output", str(tmp_path / "o"), "--config",
                                         str(tmp_path / "bad.yaml")], capsys)
    assert "not valid YAML at line" in err
    (tmp_path / "file").write_text("x", encoding="utf-8")
    _one_line_exit_2(curate.main, ["--input", str(records), "--output", str(tmp_path / "file")], capsys)


def test_other_commands_refuse_typos(tmp_path, capsys):
    assert "did you mean --run?" in _one_line_exit_2(reshard.main, ["--rnu", "x", "--output", "y", "--run", "z"],
                                                     capsys)
    assert "did you mean curate?" in _one_line_exit_2(cli.main, ["curat"], capsys)
    _one_line_exit_2(cli.main, [], capsys)


def test_help_imports_nothing_heavy():
    """``--help`` must answer at once: no Beam, torch or model library behind it (lazy imports)."""
    code = ("import sys, contextlib, io\n"
            "from jobs import cli\n"
            "for name in list(cli.SUBCOMMANDS):\n"
            "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "        try:\n"
            "            cli.main([name, '--help'])\n"
            "        except SystemExit as exc:\n"
            "            assert exc.code == 0, name\n"
            "    assert 'usage:' in out.getvalue(), name\n"
            "heavy = [m for m in ('apache_beam', 'torch', 'open_clip', 'transformers', 'decord', 'matplotlib',\n"
            "                      'fasttext', 'pyarrow') if m in sys.modules]\n"
            "print(heavy)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_option_has_help():
    from jobs import parsers

    for name in cli.SUBCOMMANDS:
        builder = getattr(parsers, name.replace("-", "_"), None)
        if builder is None:
            continue
        parser = builder()
        assert parser.description and parser.description.endswith("."), name
        for action in parser._actions:
            assert action.help, (name, action.option_strings)


def test_pretrain_recipe_ranges(tmp_path, capsys):
    from jobs import pretrain

    err = _one_line_exit_2(pretrain.main, ["--shards", str(tmp_path / "*.tar"), "--output", str(tmp_path / "run"),
                                           "--set", "train.lr=-1"], capsys)
    assert "train.lr" in err


def test_counts_must_be_counts(tmp_path, capsys):
    from jobs import audit, bench, make_sample, plan

    assert "--sample" in _one_line_exit_2(audit.main, ["--run", str(tmp_path), "--sample", "-1"], capsys)
    assert "--records" in _one_line_exit_2(bench.main, ["text", "--records", "-5"], capsys)
    assert "--records" in _one_line_exit_2(make_sample.main, ["--records", "0", "--output", str(tmp_path)], capsys)
    assert "expected an integer" in _one_line_exit_2(plan.main, ["--input", "x.jsonl", "--records", "abc"], capsys)
