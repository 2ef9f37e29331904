"""Reposts of reposts: each chain is one cluster with one record kept, in the pipeline and in reshard."""
import collections
import json

import pyarrow.parquet as pq
import pytest

from bench.chains import write_chains
from jobs import curate, reshard

BEAM = ["--direct_num_workers=1"]


def kept_per_chain(records_path, run):
    chain_of = {}
    with open(records_path, encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            chain_of[record["video_id"]] = record["chain"]
    ledger = pq.read_table(run / "ledger", columns=["video_id", "status", "stage"]).to_pylist()
    assert len(ledger) == len(chain_of)
    assert {row["stage"] for row in ledger if row["status"] != "kept"} <= {"near_dup", "exact_dup"}
    return collections.Counter(chain_of[row["video_id"]] for row in ledger if row["status"] == "kept")


@pytest.mark.parametrize("rounds", ["1", "6"])
def test_every_chain_keeps_exactly_one(tmp_path, rounds):
    records = tmp_path / "chains.jsonl"
    write_chains(str(records), chains=30, length=40, seed=int(rounds))
    run = tmp_path / "run"
    curate.run(["--phase", "text", "--input", str(records), "--output", str(run), "--quiet",
                "--set", f"near_dup.cc_rounds={rounds}", *BEAM])
    assert kept_per_chain(records, run) == {chain: 1 for chain in range(30)}
    reshard.run(["--run", str(run), "--output", str(tmp_path / "re"), "--quiet"])
    assert kept_per_chain(records, tmp_path / "re") == {chain: 1 for chain in range(30)}
