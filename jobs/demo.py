"""``ykcurate demo``: curate the bundled sample corpus (text phase), then a generated video sample through every
stage (``--phase all`` with the bundled tiny CLIP), and show the funnels, where the ledgers are, and examples."""
from __future__ import annotations

import shlex
import sys
from pathlib import Path

from bench.media_sample import make_media_sample
from jobs import curate, main_for, visible
from jobs.make_sample import SAMPLE_DIR
from pipeline.config import DEFAULT_RECIPE
from pipeline.manifest import read_ledger
from jobs import parsers
from pipeline.cli_options import split_args

TINY_RECIPE = DEFAULT_RECIPE.parent / "tiny_clip.yaml"


def _examples(manifest: dict) -> None:
    ledger = read_ledger(manifest["ledger"], ["status", "stage", "reason", "title_raw"]).to_pylist()
    print("\none example per stage:")
    seen = set()
    for row in ledger:
        if row["stage"] and row["stage"] not in seen:
            seen.add(row["stage"])
            print(f"  {row['stage']:<14}{visible(row['reason'][:60]):<62}{visible((row['title_raw'] or '')[:30])}")
    print(f"ledger: {Path(manifest['ledger']).resolve()}")


MEDIA_COLUMNS = ("quality_text_area_mean", "quality_text_boxes", "visual_unsafe_nsfw", "visual_nsfw_neutral_mean",
                 "visual_nsfw_drawing_mean", "clip_score_mean", "visual_dup_cluster")


def _media_scores(manifest: dict) -> None:
    """The media models' own columns for every video that reached them: what a reader audits first."""
    rows = read_ledger(manifest["ledger"], ["video_id", "status", "stage", *MEDIA_COLUMNS]).to_pylist()
    rows = sorted((r for r in rows if r["quality_text_area_mean"] is not None), key=lambda r: r["video_id"])
    print("\nmedia scores (text area: rapidocr; NSFW: nsfwjs MobileNetV2; dup cluster: CLIP or frame hashes):")
    print(f"  {'video_id':<12}{'status':<9}{'stage':<13}{'text':>6}{'boxes':>6}{'unsafe':>8}{'neutral':>8}"
          f"{'drawing':>8}{'clip':>7}  dup_cluster")
    for r in rows:
        def num(name: str, width: int, fmt: str = ".2f") -> str:
            return f"{r[name]:>{width}{fmt}}" if r[name] is not None else f"{'-':>{width}}"
        print(f"  {r['video_id']:<12}{r['status']:<9}{r['stage'] or '':<13}{num('quality_text_area_mean', 6)}"
              f"{num('quality_text_boxes', 6, 'd')}{num('visual_unsafe_nsfw', 8)}{num('visual_nsfw_neutral_mean', 8)}"
              f"{num('visual_nsfw_drawing_mean', 8)}{num('clip_score_mean', 7)}  {'' if r['visual_dup_cluster'] is None else r['visual_dup_cluster']}")


def _pretrain(out: Path, steps: int, beam_args: list[str]) -> tuple[dict, dict]:
    """Stage 3: the hand-off to training, on the synthetic benchmark (six categories; clips of one source or one
    title stay in one split): train and test curated (test --against train), the tiny mPLUG-video with the
    contrastive head pretrained on the train run's shards, then scored on the three benchmark tasks."""
    from bench.youku_benchmark import ITC, evaluate_run, pretrain_fresh, prepare_benchmark

    root = out / "benchmark"
    print(f"\n== 3. synthetic Youku-mPLUG benchmark -> {root}/: curate train, then test --against train; pretrain "
          f"the tiny mPLUG-video (+ ITC head) for {steps} steps on CPU; evaluate classification, retrieval, "
          "captioning\n")
    shards, csvs = prepare_benchmark(root, per_category=6, beam_args=tuple(beam_args))
    trained = pretrain_fresh(out / "pretrain", shards, steps, ITC)
    return trained, evaluate_run(out / "pretrain", root, csvs, ["itc", "likelihood"])


def run(argv: list[str] | None = None) -> dict:
    p = parsers.demo()
    args, beam_args = split_args(p, argv)
    out = Path(args.output)
    records = SAMPLE_DIR / "records.jsonl"
    print(f"== 1. text phase: the bundled sample {records} -> {out / 'text'}/\n")
    text = curate.run(["--phase", "text", "--input", str(records), "--output", str(out / "text"),
                         "--overwrite", *beam_args])  # the demo owns its folder: a rerun replaces it
    _examples(text)
    result = {"text": text}
    if not args.text_only:
        print(f"\n== 2. all stages: generated videos with every media defect -> {out / 'all'}/ "
              f"(tiny CLIP, recipe {TINY_RECIPE.name})\n")
        media_records, _ = make_media_sample(out / "media_sample")
        result["all"] = curate.run(["--phase", "all", "--config", str(TINY_RECIPE), "--input", str(media_records),
                                    "--output", str(out / "all"), "--overwrite", *beam_args])
        _examples(result["all"])
        _media_scores(result["all"])
        if args.pretrain_steps > 0:
            result["pretrain"], result["evaluate"] = _pretrain(out, args.pretrain_steps, beam_args)
    ledger = (out / "text" / "ledger").resolve()
    print(f"\naudit a run:    {shlex.quote(sys.argv[0]) if sys.argv[0].endswith('ykcurate') else 'ykcurate'} audit "
          f"--run {shlex.quote(str(out.resolve() / 'text'))}")
    print(f"query a ledger: {shlex.quote(sys.executable)} -c \"import pyarrow.parquet as pq; "
          f"print(pq.read_table('{ledger}').group_by(['status','stage']).aggregate([([], 'count_all')]))\"")
    return result


main = main_for(run, "ykcurate demo", (curate.UsageError,))


if __name__ == "__main__":
    sys.exit(main())
