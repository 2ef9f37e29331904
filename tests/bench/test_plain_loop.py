from collections import Counter

from bench.corpus import write_corpus
from bench.plain_loop import run
from bench.quality import evaluate


def test_the_reference_loop_decides_every_record_and_finds_reposts(tmp_path):
    records, truth = tmp_path / "records.jsonl", tmp_path / "truth.jsonl"
    write_corpus(str(records), 2000, seed=5, truth_path=str(truth))
    table = run(str(records))
    lines = [line for line in records.read_bytes().split(b"\n") if line.strip()]
    assert table.num_rows == len(lines)
    stages = Counter(table.column("stage").to_pylist())
    assert stages["near_dup"] > 0 and stages["exact_dup"] > 0 and stages["language"] > 0 and stages["schema"] > 0
    quality = evaluate(table, str(truth))
    assert quality["rows_match_input"]
