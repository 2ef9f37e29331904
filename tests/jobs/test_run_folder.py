"""Runs that cannot be confused: used outputs refused, --overwrite, _SUCCESS last, failures logged, relative paths."""
import json
import os

import pytest

from jobs import audit, curate, reshard
from tests.jobs.test_curate import FAST, GOOD


@pytest.fixture()
def records(tmp_path):
    path = tmp_path / "in" / "records.jsonl"
    path.parent.mkdir()
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in GOOD), encoding="utf-8")
    return path


def test_used_output_is_refused_and_overwrite_replaces_only_run_files(records, tmp_path, capsys):
    out = tmp_path / "out"
    curate.run(["--phase", "text", "--input", str(records), "--output", str(out), *FAST])
    assert (out / "_SUCCESS").exists() and (out / "manifest.json").exists()
    assert curate.main(["--phase", "text", "--input", str(records), "--output", str(out), *FAST]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--overwrite" in err
    (out / "ledger" / "part-999999.parquet").write_bytes(b"stale part of an older, bigger run")
    (out / "notes.txt").write_text("the user's own file")
    manifest = curate.run(["--phase", "text", "--input", str(records), "--output", str(out), "--overwrite",
                           *FAST])
    assert manifest["funnel"]["input"] == len(GOOD)
    assert not (out / "ledger" / "part-999999.parquet").exists()
    assert (out / "notes.txt").read_text() == "the user's own file"
    assert (out / "_SUCCESS").exists()


def test_output_that_is_a_file_is_refused(records, tmp_path, capsys):
    target = tmp_path / "file"
    target.write_text("x")
    assert curate.main(["--phase", "text", "--input", str(records), "--output", str(target), *FAST]) == 2
    assert "existing file" in capsys.readouterr().err


def test_incomplete_run_is_refused_by_readers(records, tmp_path, capsys):
    out = tmp_path / "out"
    curate.run(["--phase", "text", "--input", str(records), "--output", str(out), *FAST])
    (out / "_SUCCESS").unlink()  # as a killed run leaves it
    assert audit.main(["--run", str(out)]) == 2
    assert "incomplete" in capsys.readouterr().err
    assert reshard.main(["--run", str(out), "--output", str(tmp_path / "re")]) == 2
    err = capsys.readouterr().err.strip()
    assert "incomplete" in err and len(err.splitlines()) == 1


def test_failure_names_the_step_and_the_log_and_leaves_no_spill(records, tmp_path, capsys, monkeypatch):
    import transforms.ledger

    def broken(table, path):
        raise OSError("disk on fire")

    monkeypatch.setattr(transforms.ledger, "write_table", broken)
    out = tmp_path / "out"
    code = curate.main(["--phase", "text", "--input", str(records), "--output", str(out), *FAST])
    err = capsys.readouterr().err.strip()
    assert code == 1 and len(err.splitlines()) == 1
    assert "Ledger/DecideAndWrite" in err and "disk on fire" in err
    logs = list((out / "_logs").iterdir())
    assert len(logs) == 1 and str(logs[0]) in err and "Traceback" in logs[0].read_text()
    assert not (out / "_spill").exists() and not (out / "_SUCCESS").exists()


def test_relative_paths_are_made_absolute(records, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    manifest = curate.run(["--phase", "text", "--input", os.path.join("in", "records.jsonl"), "--output", "rel",
                           *FAST])
    assert manifest["input"]["patterns"] == [str(records)]
    assert (tmp_path / "rel" / "_SUCCESS").exists()


def test_shards_of_an_incomplete_run_are_refused(tmp_path, capsys):
    from jobs import evaluate, pretrain

    run = tmp_path / "run"
    (run / "shards").mkdir(parents=True)
    (run / "manifest.json").write_text("{}")
    assert pretrain.main(["--shards", str(run / "shards" / "*.tar"), "--output", str(tmp_path / "p")]) == 2
    assert "incomplete run" in capsys.readouterr().err
    assert evaluate.main(["--run", str(tmp_path / "p"), "--shards", str(run / "shards" / "shard-{000000..000001}.tar")]) == 2
    assert "incomplete run" in capsys.readouterr().err
