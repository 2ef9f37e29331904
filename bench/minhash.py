"""``ykcurate bench minhash``: our vectorised MinHash against datasketch's per-record MinHash on the same titles.

This is the measurement behind writing ``filters/minhash.py`` instead of calling datasketch per record: both give
identical signatures (tests/filters/test_minhash.py), so the only difference is speed.
"""
from __future__ import annotations

import time

from datasketch import MinHash

from bench.corpus import generate
from filters.minhash import signatures
from filters.normalize import comparison_text


def compare(records: int = 20_000, num_perm: int = 60, ngram: int = 2, seed: int = 0) -> dict[str, float]:
    lines, truth = generate(records, seed)
    import json
    texts = []
    for line, t in zip(lines, truth):
        if isinstance(line, str) and t["expect_status"] != "error":
            texts.append(comparison_text(json.loads(line)["title"]))
    started = time.perf_counter()
    for text in texts:
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch([text[i:i + ngram].encode() for i in range(max(1, len(text) - ngram + 1))])
    datasketch_rate = len(texts) / (time.perf_counter() - started)
    started = time.perf_counter()
    signatures(texts, num_perm, ngram, 1)
    ours_rate = len(texts) / (time.perf_counter() - started)
    return {"titles": len(texts), "datasketch_per_record_titles_per_s": round(datasketch_rate),
            "vectorised_titles_per_s": round(ours_rate), "speedup": round(ours_rate / datasketch_rate, 1)}
