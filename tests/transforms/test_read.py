"""Units of work: a small input is cut finer (read.min_units), and the cut never changes what is read."""
import json

from schemas.config import ReadConfig
from transforms.read import MIN_UNIT_BYTES, plan_reads, read_batches


def _records(path, n: int) -> int:
    with open(path, "w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(json.dumps({"video_id": f"v{i}", "title": f"王者荣耀李白连招教学第{i}期", "duration": 30.0,
                                     "video_path": f"videos/v{i}.mp4"}, ensure_ascii=False) + "\n")
    return path.stat().st_size


def _read(tasks, config) -> list[tuple[int, str]]:
    return [(row["record_id"], row.get("video_id")) for task in tasks for batch in read_batches(task, config)
            for row in batch]


def test_a_small_input_makes_min_units_of_at_least_a_mebibyte_and_reads_the_same(tmp_path):
    path = tmp_path / "records.jsonl"
    size = _records(path, 40_000)
    assert 3 * MIN_UNIT_BYTES < size < 8 * MIN_UNIT_BYTES   # below split_bytes: it used to be one unit
    default = ReadConfig()
    tasks = plan_reads([str(path)], default)
    assert len(tasks) == -(-size // MIN_UNIT_BYTES)
    whole = ReadConfig(min_units=1)
    assert len(plan_reads([str(path)], whole)) == 1
    # a smaller split_bytes still wins; finer units for a bigger min_units stop at a mebibyte
    assert len(plan_reads([str(path)], ReadConfig(split_bytes=1 << 19))) == -(-size // (1 << 19))
    assert len(plan_reads([str(path)], ReadConfig(min_units=1000))) == len(tasks)
    rows = _read(tasks, default)
    assert len(rows) == 40_000 and rows == _read(plan_reads([str(path)], whole), whole)
