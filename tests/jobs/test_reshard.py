"""``ykcurate reshard``: re-deciding from the ledger equals curating again, with no decode and no model run."""
import hashlib
import json
import shutil

import pandas as pd
import pytest

from bench.media_sample import make_media_sample
from jobs import curate, reshard
from jobs.demo import TINY_RECIPE
from pipeline.config import DEFAULT_RECIPE

SAMPLE = DEFAULT_RECIPE.parent.parent / "bench" / "sample" / "records.jsonl"
DECISIONS = ["record_id", "status", "stage", "reason", "dup_of", "near_dup_cluster"]
BEAM = ["--direct_num_workers=1"]


def _ledger(folder) -> pd.DataFrame:
    return pd.read_parquet(folder / "ledger").sort_values("record_id").reset_index(drop=True)


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def text_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("text_run")
    curate.run(["--phase", "text", "--input", str(SAMPLE), "--output", str(out), "--quiet", *BEAM])
    return out


@pytest.fixture(scope="module")
def media_run(tmp_path_factory):
    """The demo's generated video sample curated with every stage (tiny CLIP)."""
    root = tmp_path_factory.mktemp("media_run")
    records, _ = make_media_sample(root / "sample", clips=16)
    out = root / "run"
    curate.run(["--phase", "all", "--config", str(TINY_RECIPE), "--input", str(records), "--output", str(out),
                "--quiet"])
    return out


@pytest.mark.parametrize("overrides", [[], ["language.min_han_share=0.8", "title_quality.min_chars=8"],
                                       ["near_dup.max_edits=0", "duration.max_seconds=60"]])
def test_text_reshard_equals_curating_with_the_new_config(text_run, tmp_path, overrides):
    sets = [a for o in overrides for a in ("--set", o)]
    reshard.run(["--run", str(text_run), "--output", str(tmp_path / "re"), "--quiet", *sets])
    curate.run(["--phase", "text", "--input", str(SAMPLE), "--output", str(tmp_path / "fresh"), "--quiet", *sets,
                *BEAM])
    got, want = _ledger(tmp_path / "re")[DECISIONS], _ledger(tmp_path / "fresh")[DECISIONS]
    pd.testing.assert_frame_equal(got, want)
    if overrides:
        assert (got.status == "kept").sum() < (_ledger(text_run).status == "kept").sum()


def test_report_counts_what_moved(text_run, tmp_path):
    manifest = reshard.run(["--run", str(text_run), "--output", str(tmp_path / "re"), "--quiet",
                            "--set", "duration.max_seconds=60"])
    before, after = _ledger(text_run), _ledger(tmp_path / "re")
    moved = ((before.status == "kept") & (after.status != "kept")).sum()
    assert moved > 0
    assert sum(manifest["reshard"]["kept_to_rejected"].values()) == moved
    assert manifest["reshard"]["kept_to_rejected"]["duration"] > 0
    report = json.loads((tmp_path / "re" / "reshard.json").read_text())
    assert report["changes"] == {k: manifest["reshard"][k] for k in report["changes"]}
    looser = reshard.run(["--run", str(tmp_path / "re"), "--output", str(tmp_path / "back"), "--quiet",
                          "--set", "duration.max_seconds=120"])
    assert sum(looser["reshard"]["rejected_to_kept"].values()) == moved
    pd.testing.assert_frame_equal(_ledger(tmp_path / "back")[DECISIONS], before[DECISIONS])


def test_stricter_clip_threshold_needs_no_video_and_no_model(media_run, tmp_path, monkeypatch):
    shutil.move(str(media_run.parent / "sample" / "videos"), str(tmp_path / "videos_moved_away"))
    try:
        import filters.media_chain
        import models.clip_model

        def forbidden(*_a, **_k):
            raise AssertionError("reshard decoded or ran a model")
        monkeypatch.setattr(filters.media_chain.MediaChain, "process", forbidden)
        monkeypatch.setattr(models.clip_model, "load_clip", forbidden)
        before = _ledger(media_run)
        kept_scores = before[before.status == "kept"].clip_score_mean
        threshold = float(kept_scores.median())
        out = tmp_path / "strict"
        manifest = reshard.run(["--run", str(media_run), "--output", str(out), "--quiet",
                                "--set", f"clip_score.threshold={threshold}", "--shard-size", "2"])
        again = reshard.run(["--run", str(media_run), "--output", str(tmp_path / "again"), "--quiet",
                             "--set", f"clip_score.threshold={threshold}", "--shard-size", "2"])
    finally:
        shutil.move(str(tmp_path / "videos_moved_away"), str(media_run.parent / "sample" / "videos"))
    after = _ledger(out)
    kept = set(after[after.status == "kept"].video_id)
    assert kept and kept < set(before[before.status == "kept"].video_id)
    assert manifest["reshard"]["kept_to_rejected"] == {"clip_score": len(kept_scores) - len(kept)}
    assert (after[after.status == "kept"].clip_score_mean >= threshold).all()
    # shards: exactly the kept records, videos byte-equal to the original run's shards, several shards
    index = pd.read_parquet(out / "shards" / "index.parquet")
    old_index = pd.read_parquet(media_run / "shards" / "index.parquet").set_index("video_id")
    assert set(index.video_id) == kept and index.shard.nunique() > 1
    assert all(old_index.loc[v, "sha256"] == s for v, s in zip(index.video_id, index.sha256))
    assert any(m.endswith(".mp4") for ms in index.members for m in ms)
    # rerun: byte-identical shards and index
    assert _digests(out / "shards") == _digests(tmp_path / "again" / "shards")
    assert again["funnel"] == manifest["funnel"]


def test_same_config_reproduces_the_media_run(media_run, tmp_path):
    reshard.run(["--run", str(media_run), "--output", str(tmp_path / "same"), "--quiet"])
    columns = DECISIONS + ["visual_dup_cluster", "clip_threshold"]
    pd.testing.assert_frame_equal(_ledger(tmp_path / "same")[columns], _ledger(media_run)[columns])


def test_looser_threshold_lists_missing_then_compute_missing_scores_them(media_run, tmp_path):
    before = _ledger(media_run)
    quality_rejected = set(before[before.stage == "quality"].video_id)
    assert quality_rejected
    loose = [a for o in ("quality.min_short_side=1", "quality.max_text_area=1", "quality.min_aspect=0.01", "quality.max_aspect=100",
                         "quality.max_blank_fraction=1", "quality.static_threshold=0") for a in ("--set", o)]
    listed = reshard.run(["--run", str(media_run), "--output", str(tmp_path / "listed"), "--quiet", *loose])
    report = json.loads((tmp_path / "listed" / "reshard.json").read_text())
    assert {m["video_id"] for m in report["missing"]} == quality_rejected
    assert listed["reshard"]["missing"] == len(quality_rejected)
    computed = reshard.run(["--run", str(media_run), "--output", str(tmp_path / "computed"), "--quiet", *loose,
                            "--compute-missing"])
    after = _ledger(tmp_path / "computed").set_index("video_id")
    assert computed["reshard"]["missing"] == 0
    for vid in quality_rejected:  # now scored by the stages after quality
        assert after.loc[vid, "clip_score_mean"] == after.loc[vid, "clip_score_mean"]  # not NaN
        assert after.loc[vid, "stage"] != "quality"


def test_max_per_category_keeps_the_best_scored(media_run, tmp_path):
    reshard.run(["--run", str(media_run), "--output", str(tmp_path / "cap"), "--quiet", "--max-per-category", "2"])
    before, after = _ledger(media_run), _ledger(tmp_path / "cap")
    for category, group in before[before.status == "kept"].groupby("category", dropna=False):
        best = set(group.sort_values(["clip_score_mean", "video_id"], ascending=[False, True]).video_id[:2])
        assert set(after[(after.status == "kept") & (after.video_id.isin(group.video_id))].video_id) == best
    assert (after.stage == "balance").sum() == max(0, (before.status == "kept").sum() - len(
        set(after[after.status == "kept"].video_id)))


def test_bad_arguments_exit_2(text_run, tmp_path, capsys):
    assert reshard.main(["--run", str(text_run), "--output", str(text_run)]) == 2
    assert reshard.main(["--run", str(tmp_path / "nothing"), "--output", str(tmp_path / "o")]) == 2
    assert reshard.main(["--run", str(text_run), "--output", str(tmp_path / "o"), "--set", "nope.x=1"]) == 2
    assert "unknown config key" in capsys.readouterr().err
    assert reshard.main(["--run", str(text_run), "--output", str(tmp_path / "o"), "--set", "quality.blank_std=1"]) == 2
    assert "quality.blank_std changed" in capsys.readouterr().err


def test_curate_applies_the_same_cap(text_run, tmp_path):
    reshard.run(["--run", str(text_run), "--output", str(tmp_path / "re"), "--quiet", "--max-per-category", "5"])
    curate.run(["--phase", "text", "--input", str(SAMPLE), "--output", str(tmp_path / "fresh"), "--quiet",
                "--set", "balance.max_per_category=5", *BEAM])
    got, want = _ledger(tmp_path / "re"), _ledger(tmp_path / "fresh")
    pd.testing.assert_frame_equal(got[DECISIONS], want[DECISIONS])
    assert got[got.status == "kept"].groupby("category", dropna=False).size().max() == 5


def test_text_area_and_nsfw_thresholds_replay_without_models(media_run, tmp_path, monkeypatch):
    import filters.text_area
    import models.nsfw_classifier

    def forbidden(*_a, **_k):
        raise AssertionError("reshard ran a model")
    monkeypatch.setattr(filters.text_area.TextAreaScorer, "score", forbidden)
    monkeypatch.setattr(models.nsfw_classifier.NsfwClassifier, "__init__", forbidden)
    before = _ledger(media_run)
    kept = before[before.status == "kept"]
    assert kept.visual_nsfw_neutral_mean.notna().all() and kept.quality_text_area_mean.notna().all()
    nsfw_cut = float(kept.visual_unsafe_nsfw.median())
    manifest = reshard.run(["--run", str(media_run), "--output", str(tmp_path / "nsfw"), "--quiet",
                            "--set", f"visual_safety.nsfw_threshold={nsfw_cut}"])
    after = _ledger(tmp_path / "nsfw").set_index("video_id")
    over = set(kept[kept.visual_unsafe_nsfw > nsfw_cut].video_id)
    assert over and manifest["reshard"]["kept_to_rejected"].get("visual_safety") == len(over)
    assert all(after.loc[v, "reason"].startswith("NSFW classifier") for v in over)
    # the ad card's text area is stored; a looser bar lets it through quality, where its later scores are missing
    card = before.set_index("video_id").loc["ad_card"]
    assert card.stage == "quality" and card.quality_text_area_mean > 0.2
    reshard.run(["--run", str(media_run), "--output", str(tmp_path / "text"), "--quiet",
                 "--set", f"quality.max_text_area={card.quality_text_area_mean + 0.01}"])
    report = json.loads((tmp_path / "text" / "reshard.json").read_text())
    assert "ad_card" in {m["video_id"] for m in report["missing"]}
    reshard.run(["--run", str(media_run), "--output", str(tmp_path / "off"), "--quiet",
                 "--set", "visual_safety.nsfw=false", "--set", "visual_safety.nsfw_threshold=0"])
    assert (_ledger(tmp_path / "off").status == before.status).all()


def test_signals_the_run_did_not_compute_are_refused(media_run, tmp_path, capsys):
    for setting in ("visual_safety.nsfw_sexy_weight=1", "quality.text_frames=4"):
        assert reshard.main(["--run", str(media_run), "--output", str(tmp_path / "o"), "--set", setting]) == 2
        assert f"{setting.split('=')[0]} changed" in capsys.readouterr().err
    manifest = json.loads((media_run / "manifest.json").read_text())
    manifest["config"]["visual_safety"].pop("nsfw")  # a run from before the classifier existed
    old = tmp_path / "old_run"
    shutil.copytree(media_run, old)
    (old / "manifest.json").write_text(json.dumps(manifest))
    assert reshard.main(["--run", str(old), "--output", str(tmp_path / "o"), "--set", "visual_safety.nsfw=true"]) == 2
    assert "visual_safety.nsfw (off in the run)" in capsys.readouterr().err
