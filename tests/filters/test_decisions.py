from filters.decisions import apply_media, finalize
from schemas.config import ClipScoreConfig
from schemas.records import MediaOutcome, Representative


def test_dedup_outcomes_apply_in_stage_order_and_the_rest_is_kept():
    row = {"record_id": 5, "status": None}
    assert finalize(dict(row), None, None)["status"] == "kept"
    exact = {"dup_key": "md5", "dup_of": "a", "reason": "same md5 as a"}
    out = finalize(dict(row), exact, Representative(1, "a"))
    assert (out["status"], out["stage"], out["near_dup_cluster"]) == ("rejected", "exact_dup", 1)
    out = finalize(dict(row), None, Representative(1, "a"))
    assert (out["stage"], out["dup_of"]) == ("near_dup", "a")
    assert finalize({"record_id": 1, "status": None}, None, Representative(1, "a"))["status"] == "kept"  # the representative
    rejected = {"record_id": 5, "status": "rejected", "stage": "language", "reason": "ja"}
    assert finalize(dict(rejected), exact, None)["stage"] == "language"  # an earlier stage's rejection stands
    assert finalize(dict(rejected), {**exact, "dup_key": "video_id"}, None)["stage"] == "exact_dup"  # repeated row
    assert finalize({"status": "error", "stage": "schema"}, exact, Representative(1, "a"))["stage"] == "schema"


def test_media_first_rejection_wins():
    config = ClipScoreConfig(mode="absolute", threshold=0.2)
    row = {"record_id": 7, "status": "kept"}
    unsafe = (("visual_safety", "unsafe"),)
    out = apply_media(dict(row), MediaOutcome({"clip_score_mean": 0.1}, unsafe), 0.2, config, Representative(3, "b"))
    assert (out["stage"], out["clip_threshold"], out["visual_dup_cluster"]) == ("clip_score", 0.2, 3)
    out = apply_media(dict(row), MediaOutcome({"clip_score_mean": 0.5}, unsafe), 0.2, config, Representative(3, "b"))
    assert out["stage"] == "visual_safety"
    out = apply_media(dict(row), MediaOutcome({"clip_score_mean": 0.5}), 0.2, config, Representative(3, "b"))
    assert (out["stage"], out["dup_of"]) == ("visual_dup", "b")
    out = apply_media(dict(row), MediaOutcome({"status": "error", "stage": "decode"}), 0.2, config, None)
    assert out["stage"] == "decode"
    assert apply_media(dict(row), None, 0.2, config, None)["status"] == "kept"
