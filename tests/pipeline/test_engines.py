"""The same pipeline on real multi-process engines gives the local runner's ledger and shards.

Dask: a ``dask scheduler`` and two ``dask worker`` processes, each in its own folder and TMPDIR, run both phases
through ``pipeline.dask_runner``. Portable: the Python job service with EXTERNAL SDK worker pools
(``worker_pool_main``, the harness Flink and Dataflow start). Spill is off on both (remote runners), on locally.
"""
import hashlib

import pytest

from bench.media_sample import make_media_sample
from jobs import curate
from jobs.demo import TINY_RECIPE
from pipeline.config import DEFAULT_RECIPE
from pipeline.manifest import read_ledger
from tests.engines import beam_worker_pools, dask_cluster

pytest.importorskip("distributed")

SAMPLE = DEFAULT_RECIPE.parent.parent / "bench" / "sample" / "records.jsonl"
KEY = [("video_id", "ascending"), ("record_id", "ascending")]


def ledger(out):
    return read_ledger(str(out / "ledger")).sort_by(KEY)


def digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def media_records(tmp_path_factory):
    records, _ = make_media_sample(tmp_path_factory.mktemp("media") / "sample", clips=6)
    return records


@pytest.fixture(scope="module")
def local_runs(tmp_path_factory, media_records):
    root = tmp_path_factory.mktemp("local")
    curate.run(["--phase", "text", "--input", str(SAMPLE), "--output", str(root / "text"), "--quiet",
                "--direct_num_workers=2"])
    curate.run(["--phase", "all", "--config", str(TINY_RECIPE), "--input", str(media_records),
                "--output", str(root / "all"), "--quiet", "--direct_num_workers=2"])
    return root


def test_dask_cluster_gives_the_local_ledger_and_shards(tmp_path, local_runs, media_records):
    with dask_cluster(tmp_path) as address:
        dask = ["--runner", "DaskRunner", "--dask_client_address", address, "--dask_npartitions", "3"]
        text = curate.run(["--phase", "text", "--input", str(SAMPLE), "--output", str(tmp_path / "text"),
                           "--quiet", *dask])
        curate.run(["--phase", "all", "--config", str(TINY_RECIPE), "--input", str(media_records),
                    "--output", str(tmp_path / "all"), "--quiet", *dask])
        again = curate.run(["--phase", "text", "--input", str(SAMPLE), "--output", str(tmp_path / "again"),
                            "--quiet", *dask, "--against", str(local_runs / "text")])
    assert text["runner"] == "DaskRunner"
    # the same input curated --against the local run: every valid record is a repeat of its earlier copy
    repeats = read_ledger(str(tmp_path / "again" / "ledger")).to_pylist()
    valid = [r for r in repeats if r["stage"] != "schema"]
    assert again["against"][0]["run"] == str(local_runs / "text") and len(valid) > 300
    assert all(r["stage"] == "exact_dup" and r["dup_of_run"] == again["against"][0]["fingerprint"] for r in valid)
    assert not (tmp_path / "text" / "_spill").exists()
    assert ledger(tmp_path / "text").equals(ledger(local_runs / "text"))
    assert ledger(tmp_path / "all").equals(ledger(local_runs / "all"))
    assert digests(tmp_path / "all" / "shards") == digests(local_runs / "all" / "shards")


def test_portable_runner_with_external_worker_pools_gives_the_local_ledger(tmp_path, local_runs):
    with beam_worker_pools(tmp_path) as (ports, args):
        curate.run(["--phase", "text", "--input", str(SAMPLE), "--output", str(tmp_path / "text"), "--quiet",
                    *args, f"--environment_config=localhost:{ports[0]}"])
    assert ledger(tmp_path / "text").equals(ledger(local_runs / "text"))
