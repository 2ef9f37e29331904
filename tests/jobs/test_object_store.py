"""curate, reshard and audit on a filesystem with object-store semantics (no directories, prefix listing, rename =
copy + delete); nothing is left behind but the run's own outputs."""
import json

import pytest
from apache_beam.io.filesystems import FileSystems

from bench.media_sample import make_media_sample
from jobs import audit, curate, reshard
from jobs.demo import TINY_RECIPE
from pipeline.config import DEFAULT_RECIPE
from pipeline.manifest import read_ledger
from tests import objstore

SAMPLE = DEFAULT_RECIPE.parent.parent / "bench" / "sample" / "records.jsonl"
KEY = [("video_id", "ascending"), ("record_id", "ascending")]
LOCAL = ["--direct_num_workers=1"]


@pytest.fixture()
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("YKCURATE_OBJSTORE_ROOT", str(tmp_path / "bucket"))
    monkeypatch.setenv("YKCURATE_PLUGINS", "tests.objstore")  # worker processes register the filesystem too
    return "objstore://bucket"


def put(local_path, uri):
    with open(local_path, "rb") as source, FileSystems.create(uri) as target:
        target.write(source.read())


def test_text_phase_reshard_and_audit_on_an_object_store(store, tmp_path, capsys):
    put(SAMPLE, f"{store}/raw/records.jsonl")
    run = f"{store}/runs/text"
    curate.run(["--phase", "text", "--input", f"{store}/raw/*.jsonl", "--output", run, "--quiet",
                "--set", "shuffle.spill=true", *LOCAL])
    keys = objstore.all_keys()
    assert f"{run}/_SUCCESS" in keys and f"{run}/manifest.json" in keys
    assert not [k for k in keys if "/_spill/" in k or k.endswith(".tmp")]
    curate.run(["--phase", "text", "--input", str(SAMPLE), "--output", str(tmp_path / "local"), "--quiet", *LOCAL])
    remote = read_ledger(f"{run}/ledger").sort_by(KEY)
    local = read_ledger(str(tmp_path / "local" / "ledger")).sort_by(KEY)
    same = [c for c in local.column_names if c not in ("video_path", "source")]  # both name the input file
    assert remote.select(same).equals(local.select(same))
    assert curate.main(["--phase", "text", "--input", str(SAMPLE), "--output", run, *LOCAL]) == 2
    assert "--overwrite" in capsys.readouterr().err

    report = audit.run(["--run", run])
    assert report["run"] == run and "400" in report["funnel_text"] and f"{run}/audit.html" in objstore.all_keys()
    re = f"{store}/runs/stricter"
    manifest = reshard.run(["--run", run, "--output", re, "--quiet", "--set", "duration.max_seconds=60"])
    assert manifest["funnel"]["kept"] < read_ledger(f"{run}/ledger", ["status"]).column("status").to_pylist().count("kept")
    assert f"{re}/_SUCCESS" in objstore.all_keys()

    curate.run(["--phase", "text", "--input", str(SAMPLE), "--output", run, "--quiet", "--overwrite", *LOCAL])
    after = objstore.all_keys()
    assert f"{run}/audit.html" not in after and f"{run}/_SUCCESS" in after  # the old run's outputs are gone
    assert f"{store}/raw/records.jsonl" in after  # and nothing the project did not write


def test_media_phase_on_an_object_store_writes_relative_paths(store, tmp_path):
    records, _ = make_media_sample(tmp_path / "sample", clips=4)
    run = f"{store}/runs/media"
    curate.run(["--phase", "all", "--config", str(TINY_RECIPE), "--input", str(records), "--output", run,
                "--quiet", *LOCAL])
    rows = read_ledger(f"{run}/ledger").to_pylist()
    embedded = [r for r in rows if r["embedding_file"]]
    assert embedded and all(r["embedding_file"].startswith("embeddings/") for r in embedded)
    assert all(FileSystems.exists(f"{run}/{r['embedding_file']}") for r in embedded)
    manifest = json.loads(FileSystems.open(f"{run}/manifest.json").read())
    assert manifest["outputs"]["kept"] == sum(r["status"] == "kept" for r in rows)
    assert not [k for k in objstore.all_keys() if "/_spill/" in k or k.endswith(".tmp")]


def test_lexicon_and_language_model_from_the_object_store(store, tmp_path):
    from filters.language import DEFAULT_MODEL

    put(DEFAULT_MODEL, f"{store}/models/lid.176.ftz")
    lexicon = tmp_path / "extra.tsv"
    lexicon.write_text("gambling\t红烧肉\n", encoding="utf-8")
    put(lexicon, f"{store}/models/extra.tsv")
    records = tmp_path / "r.jsonl"
    records.write_text(json.dumps({"video_id": "a", "title": "今天做个红烧肉吃吧", "duration": 30},
                                  ensure_ascii=False) + "\n", encoding="utf-8")
    curate.run(["--phase", "text", "--input", str(records), "--output", f"{store}/runs/lex", "--quiet", *LOCAL,
                "--set", f"text_safety.lexicon_paths=[{store}/models/extra.tsv]",
                "--set", f"language.model_path={store}/models/lid.176.ftz"])
    row = read_ledger(f"{store}/runs/lex/ledger").to_pylist()[0]
    assert row["stage"] == "text_safety" and "红烧肉" in row["reason"]
