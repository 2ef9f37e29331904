"""Shuffle pieces per record at several input sizes (``python -m bench.pieces 50000 200000 1000000``).

Each size is a generated corpus (``bench.corpus``) curated with the text phase on the default local runner; the
manifest's ``shuffle`` figures come from the runner's metrics. Pieces per record must stay flat as the input grows.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile

from bench.corpus import write_corpus
from jobs import curate


def pieces(records: int, workdir: str) -> dict:
    path = os.path.join(workdir, f"corpus{records}.jsonl")
    if not os.path.exists(path):
        write_corpus(path, records, seed=0)
    manifest = curate.run(["--phase", "text", "--input", path, "--output", os.path.join(workdir, f"run{records}"),
                           "--overwrite", "--quiet"])
    total = manifest["shuffle"]["total"]
    return {"records": records, "partitions": manifest["partitions"], "pieces": total["pieces"],
            "pieces_per_1k_records": round(1000 * total["pieces"] / records, 2),
            "shuffle_bytes_per_record": round(total["bytes"] / records, 1)}


if __name__ == "__main__":
    folder = tempfile.mkdtemp(prefix="ykcurate-pieces-")
    for size in (int(a) for a in sys.argv[1:]):
        print(json.dumps(pieces(size, folder)), flush=True)
