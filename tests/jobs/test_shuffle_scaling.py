"""Shuffle pieces grow linearly with the input: pieces per record stay flat when the input grows 4x."""
from bench.corpus import write_corpus
from jobs import curate

SMALL_UNITS = ["--set", "read.split_bytes=262144"]  # many units of work, as a big input has


def pieces_per_record(tmp_path, records):
    path = tmp_path / f"c{records}.jsonl"
    write_corpus(str(path), records, seed=3)
    manifest = curate.run(["--phase", "text", "--input", str(path), "--output", str(tmp_path / f"o{records}"),
                           "--quiet", "--direct_num_workers=1", *SMALL_UNITS])
    return manifest["shuffle"]["total"]["pieces"] / records, manifest


def test_pieces_per_record_are_flat_from_8k_to_32k(tmp_path):
    small, m_small = pieces_per_record(tmp_path, 8_000)
    large, m_large = pieces_per_record(tmp_path, 32_000)
    assert m_small["partitions"] == m_large["partitions"] == 8  # one worker: partitions follow the workers
    assert large <= 1.25 * small, (small, large)
    for payload, stats in m_large["shuffle"]["by_payload"].items():
        before = m_small["shuffle"]["by_payload"].get(payload, {"pieces": 1})["pieces"]
        assert stats["pieces"] <= 4 * 1.5 * max(before, 8), payload  # no stage grows faster than the input
