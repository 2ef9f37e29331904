"""The reference a practitioner would write instead of a pipeline: one process, one loop, everything in memory.

OpenCC t2s, fastText lid.176 (keep ``zh``), exact dedup on the normalised title, datasketch ``MinHash.bulk`` with
128 permutations over character 3-grams and a ``MinHashLSH`` at Jaccard 0.7. ``ykcurate bench text`` runs it on the
same corpus as ``curate --phase text`` and reports both side by side (issue: CPU efficiency). Its decisions are
written as a ledger-shaped Parquet file (``record_id``, ``status``, ``stage``, ``title``...) so the same quality
evaluation applies.

    python -m bench.plain_loop records.jsonl decisions.parquet
"""
from __future__ import annotations

import json
import sys

import fasttext
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from datasketch import LeanMinHash, MinHash, MinHashLSH
from opencc import OpenCC

from filters.language import DEFAULT_MODEL

NUM_PERM = 128
THRESHOLD = 0.7
BATCH = 2000


def _shingles(text: str) -> list[bytes]:
    grams = {text[i:i + 3] for i in range(max(1, len(text) - 2))}
    return [g.encode("utf-8") for g in grams]


def run(records_path: str) -> pa.Table:
    """Decide every line of ``records_path``; one row per non-blank line, in input order."""
    t2s, lid = OpenCC("t2s"), fasttext.load_model(str(DEFAULT_MODEL))
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    seen: set[str] = set()
    rows: list[dict] = []
    with open(records_path, "rb") as handle:
        offset = 0
        pending: list[tuple[int, str]] = []  # (row index, title) waiting for MinHash.bulk
        for line in handle:
            record_id, offset = offset, offset + len(line)
            if not line.strip():
                continue
            row = {"record_id": record_id, "status": "kept", "stage": None, "title": None, "title_raw": None,
                   "title_traditional": False}
            rows.append(row)
            try:  # the loop's only defence: a record it cannot read is an error
                obj = json.loads(line)
                title = obj["title"]
                if not isinstance(title, str) or not title.strip():
                    raise ValueError("no title")
                simplified = t2s.convert(title.strip())
                labels, _ = lid.predict(simplified.replace("\n", " "))
            except (ValueError, KeyError, TypeError, UnicodeError):
                row.update(status="error", stage="schema")
                continue
            row.update(title=simplified, title_raw=title, title_traditional=simplified != title.strip())
            if labels[0] != "__label__zh":
                row.update(status="rejected", stage="language")
            elif simplified in seen:
                row.update(status="rejected", stage="exact_dup")
            else:
                seen.add(simplified)
                pending.append((len(rows) - 1, simplified))
            if len(pending) >= BATCH:
                _near_dup(pending, rows, lsh)
                pending = []
        _near_dup(pending, rows, lsh)
    return pa.Table.from_pylist(rows)


def _near_dup(pending: list[tuple[int, str]], rows: list[dict], lsh: MinHashLSH) -> None:
    """MinHash a batch with ``MinHash.bulk``, then query-then-insert in input order (the first copy is kept)."""
    hashes = MinHash.bulk([_shingles(text) for _, text in pending], num_perm=NUM_PERM)
    for (index, _), mh in zip(pending, hashes):
        key = str(rows[index]["record_id"])
        if lsh.query(mh):
            rows[index].update(status="rejected", stage="near_dup")
        else:
            lsh.insert(key, LeanMinHash(mh))


if __name__ == "__main__":
    table = run(sys.argv[1])
    pq.write_table(table, sys.argv[2])
    print(json.dumps({"rows": table.num_rows, "kept": int(np.sum(np.asarray(table.column("status")) == "kept"))}))
