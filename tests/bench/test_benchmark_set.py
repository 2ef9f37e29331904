"""The synthetic benchmark's split: clips joined by a source or a title never cross train/test, every category is
on both sides, and the CSVs it writes read back in the published layouts."""
import json

from bench.benchmark_set import SCENE_CATEGORY, make_benchmark_set, split_groups


def test_groups_join_sources_and_titles_transitively():
    groups = split_groups(["s1", "s1", "s2", "s3", "s4"], ["a", "b", "b", "c", "a"])
    assert groups[0] == groups[1] == groups[2] == groups[4] != groups[3]


def test_no_source_or_title_on_both_sides(tmp_path):
    paths = make_benchmark_set(tmp_path, per_category=4, seconds=10.5)
    split = {name: [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
             for name, path in paths.items()}
    for field in ("source", "title", "group"):
        assert not {r[field] for r in split["train"]} & {r[field] for r in split["test"]}
    for side in split.values():
        assert {r["category"] for r in side} == set(SCENE_CATEGORY.values())
    assert all((tmp_path / r["video_path"]).stat().st_size > 0 for side in split.values() for r in side)
    assert any(a["source"] == b["source"] for a, b in zip(split["train"], split["train"][1:]))  # two cuts
