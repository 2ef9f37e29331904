"""``ykcurate evaluate --benchmark TASK --csv FILE --videos DIR``: a pretraining run on one Youku-mPLUG benchmark task.

Writes ``<run>/eval/<task>.json`` (the scores, the skipped rows and clips) and the per-item predictions as JSON lines
(``--predictions``, default ``<run>/eval/<task>.jsonl``), so a surprising figure can be traced to its clips.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from apache_beam.io.filesystems import FileSystems

from jobs.evaluate import UsageError
from schemas.benchmark_csv import BenchmarkFile, BenchmarkFormatError, parse_benchmark
from training import benchmark_eval

MAX_SHOWN = 5  # malformed rows listed on the terminal; all of them go to the result file


def read_csv(uri: str, task: str) -> BenchmarkFile:
    """A benchmark CSV (local or object store); a missing file or another task's header is a usage error."""
    try:
        with FileSystems.open(uri) as handle:
            data = handle.read()
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read {uri}: {exc}") from exc
    try:
        table = parse_benchmark(data, task, uri)
    except BenchmarkFormatError as exc:
        raise UsageError(str(exc)) from exc
    for line, why in table.problems[:MAX_SHOWN]:
        print(f"{uri}:{line}: skipped: {why}", file=sys.stderr)
    if len(table.problems) > MAX_SHOWN:
        print(f"{uri}: {len(table.problems) - MAX_SHOWN} more malformed rows skipped (all in the result file)",
              file=sys.stderr)
    if not table.rows:
        raise UsageError(f"{uri}: no usable rows ({len(table.problems)} malformed)")
    return table


def run_benchmark(args, recipe, model, checkpoint: Path, test: BenchmarkFile,
                  train: BenchmarkFile | None) -> dict[str, Any]:
    frames = recipe.data.eval_num_frames or recipe.data.num_frames
    reader = benchmark_eval.ClipReader(args.videos, frames, model.encoder.config.image_size, args.batch_size)
    task = args.benchmark
    if task == "classification":
        result = benchmark_eval.classification(model, reader, test, train)
    elif task == "retrieval":
        scorer = args.score if args.score != "auto" else ("itc" if model.contrastive is not None else "likelihood")
        try:
            result = benchmark_eval.retrieval(model, reader, test, scorer)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
    else:
        result = benchmark_eval.captioning(model, reader, test, args.max_new_tokens)
    predictions = result.pop("predictions")
    result.update(task=task, checkpoint=str(checkpoint), csv=args.csv, rows=len(test.rows),
                  skipped_rows=[{"line": line, "why": why} for line, why in test.problems],
                  skipped_clips=dict(reader.skipped))
    if train is not None:
        result["train_csv"] = {"csv": args.train_csv, "rows": len(train.rows), "skipped_rows": len(train.problems)}
    out = Path(args.run) / "eval"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{task}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    path = Path(args.predictions) if args.predictions else out / f"{task}.jsonl"
    path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in predictions), encoding="utf-8")
    result["predictions_file"] = str(path)
    print(_summary(task, result))
    return result


def _summary(task: str, r: dict[str, Any]) -> str:
    skipped = f"skipped {len(r['skipped_rows'])} malformed rows, clips {r['skipped_clips'] or 'none'}"
    if "note" in r:
        return f"{task}: {r['note']} ({skipped})"
    if task == "classification":
        return (f"classification: top-1 {r['top1']}  top-5 {r['top5']}  over {r['classes']} classes "
                f"(chance {r['chance_top1']}), {r['scored_on']} clips scored ({skipped})")
    if task == "retrieval":
        v, t = r["video_to_text"], r["text_to_video"]
        return (f"retrieval ({r['scorer']}, {r['videos']} clips): video->text R@1 {v['R@1']} R@5 {v['R@5']} "
                f"R@10 {v['R@10']} MdR {v['median_rank']}; text->video R@1 {t['R@1']} R@5 {t['R@5']} "
                f"R@10 {t['R@10']} MdR {t['median_rank']} ({skipped})")
    return f"captioning: {r['clips']} clips, CIDEr {r['CIDEr']}  BLEU-4 {r['BLEU-4']} ({skipped})"
