"""Incremental curation (``curate --against``): a base of 80% and three increments of ~7%, each curated against
the runs before it, keep exactly the records one curate of the whole corpus keeps, in the same clusters."""
import json
import shutil

import pytest

from bench.corpus import write_corpus
from jobs import curate
from pipeline.manifest import read_ledger
from schemas.records import RUN_SHIFT
from tests.jobs.test_object_store import put, store  # noqa: F401

TEXT = ["--phase", "text", "--quiet", "--direct_num_workers=1"]
MASK = (1 << RUN_SHIFT) - 1


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    write_corpus(str(root / "all.jsonl"), 6000, seed=3)
    lines = (root / "all.jsonl").read_bytes().splitlines(keepends=True)
    cuts = [0, int(len(lines) * 0.8), int(len(lines) * 0.87), int(len(lines) * 0.94), len(lines)]
    (root / "split").mkdir()
    for i in range(4):
        (root / "split" / f"part{i}.jsonl").write_bytes(b"".join(lines[cuts[i]:cuts[i + 1]]))
    curate.run(["--input", str(root / "split" / "*.jsonl"), "--output", str(root / "single"), *TEXT])
    runs = []
    for i in range(4):
        out = str(root / f"run{i}")
        curate.run(["--input", str(root / "split" / f"part{i}.jsonl"), "--output", out, *TEXT,
                    *[a for run in runs for a in ("--against", run)]])
        runs.append(out)
    return root, runs


def _canonical(row, run_index: int):
    """(part, offset) of a record and of its cluster's representative, comparable across the two ways (run i was
    curated against the i runs before it: a virtual id's top bits say which)."""
    rid, cluster = row["record_id"], row["near_dup_cluster"]
    if cluster is not None:
        cluster = (run_index + (cluster >> RUN_SHIFT) if cluster < 0 else run_index, cluster & MASK)
    return (run_index, rid & MASK), row["status"], row["stage"], cluster


def test_increments_keep_what_one_run_keeps_in_the_same_clusters(corpus):
    root, runs = corpus
    single = [r for r in read_ledger(str(root / "single" / "ledger")).to_pylist()]
    # one run over the four files: file number = part, so (part, offset) names a record both ways
    one = {((r["record_id"] >> 40, r["record_id"] & ((1 << 40) - 1))): (
        r["status"], r["stage"], None if r["near_dup_cluster"] is None else
        (r["near_dup_cluster"] >> 40, r["near_dup_cluster"] & ((1 << 40) - 1))) for r in single}
    inc = {}
    for i, run in enumerate(runs):
        for row in read_ledger(f"{run}/ledger").to_pylist():
            key, status, stage, cluster = _canonical(row, i)
            inc[key] = (status, stage, cluster)
    # an earlier run is never modified: a record it kept that a later record joins does not get the cluster
    # label in its own ledger, so a representative's label on itself is left out on both sides
    one, inc = ({key: (status, stage, None if cluster == key else cluster)
                 for key, (status, stage, cluster) in side.items()} for side in (one, inc))
    assert len(inc) == len(one) == 6000
    assert inc == one
    assert len({c for _, _, c in inc.values() if c}) > 50  # clusters, several of them across runs
    later = [r for run in runs[1:] for r in read_ledger(f"{run}/ledger").to_pylist()]
    across = [r for r in later if r["dup_of_run"]]
    assert {r["stage"] for r in across} == {"exact_dup", "near_dup"}
    manifest = json.loads((root / "run3" / "manifest.json").read_text())
    assert [a["run"] for a in manifest["against"]] == runs[:3] and all(len(a["fingerprint"]) == 16
                                                                        for a in manifest["against"])
    fingerprints = {a["fingerprint"] for a in manifest["against"]}
    assert all(r["dup_of_run"] in fingerprints and r["dup_of_run"] in r["reason"] for r in across)
    assert not any("/" in (r["dup_of_run"] or "") for r in later)  # no path in the ledger


def test_same_batch_twice_gives_the_same_ledger_and_a_repeat_of_an_earlier_input_is_its_exact_dup(corpus, tmp_path):
    root, runs = corpus
    new = tmp_path / "new.jsonl"
    base_line = (root / "split" / "part0.jsonl").read_bytes().splitlines(keepends=True)[5]
    new.write_bytes((root / "split" / "part1.jsonl").read_bytes() + base_line)
    against = ["--against", runs[0]]
    for name in ("a", "b"):
        curate.run(["--input", str(new), "--output", str(tmp_path / name), *TEXT, *against])
    parts = sorted(p.name for p in (tmp_path / "a" / "ledger").iterdir())
    assert parts and all((tmp_path / "a" / "ledger" / p).read_bytes() == (tmp_path / "b" / "ledger" / p).read_bytes()
                         for p in parts)
    copy = read_ledger(str(tmp_path / "a" / "ledger")).to_pylist()[-1]
    assert copy["video_id"] == json.loads(base_line)["video_id"]
    fingerprint = json.loads((tmp_path / "a" / "manifest.json").read_text())["against"][0]["fingerprint"]
    assert copy["stage"] == "exact_dup" and copy["dup_of_run"] == fingerprint and copy["dup_key"] == "video_id"


def test_unusable_against_runs_exit_2(corpus, tmp_path, capsys):
    root, runs = corpus
    part = str(root / "split" / "part1.jsonl")
    assert curate.main(["--input", part, "--output", str(tmp_path / "o"), *TEXT, "--against", str(tmp_path)]) == 2
    assert curate.main(["--input", part, "--output", runs[1], "--overwrite", *TEXT, "--against", runs[1]]) == 2
    assert curate.main(["--input", part, "--output", str(tmp_path / "o"), *TEXT, "--against", runs[0],
                        "--set", "near_dup.max_edits=0"]) == 2
    err = capsys.readouterr().err
    assert "other dedup settings" in err and "--output folder itself" in err
    old = tmp_path / "old"
    shutil.copytree(runs[0], old)
    shutil.rmtree(old / "index")
    assert curate.main(["--input", part, "--output", str(tmp_path / "o"), *TEXT, "--against", str(old)]) == 2
    assert "no dedup index" in capsys.readouterr().err


def test_against_a_run_on_an_object_store(corpus, store):  # noqa: F811
    root, _ = corpus
    for i in (0, 1):
        put(root / "split" / f"part{i}.jsonl", f"{store}/raw/part{i}.jsonl")
    curate.run(["--input", f"{store}/raw/part0.jsonl", "--output", f"{store}/run0", *TEXT])
    curate.run(["--input", f"{store}/raw/part1.jsonl", "--output", f"{store}/run1", *TEXT,
                "--against", f"{store}/run0"])
    local = {r["record_id"]: (r["status"], r["stage"], r["dup_of"])
             for r in read_ledger(str(root / "run1" / "ledger")).to_pylist()}
    remote = {r["record_id"]: (r["status"], r["stage"], r["dup_of"])
              for r in read_ledger(f"{store}/run1/ledger").to_pylist()}
    assert remote == local and any(stage in ("exact_dup", "near_dup") for _, stage, _ in remote.values())


def test_reshard_of_an_increment_checks_the_same_earlier_runs(corpus, tmp_path):
    from jobs import reshard

    _, runs = corpus
    manifest = reshard.run(["--run", runs[2], "--output", str(tmp_path / "re"), "--quiet"])
    assert [a["run"] for a in manifest["against"]] == runs[:2]
    columns = ["record_id", "status", "stage", "reason", "dup_of", "dup_of_run", "near_dup_cluster"]
    assert read_ledger(str(tmp_path / "re" / "ledger"), columns).equals(read_ledger(f"{runs[2]}/ledger", columns))
    assert (tmp_path / "re" / "index" / "_index.json").is_file()
