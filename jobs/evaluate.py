"""``ykcurate evaluate``: score a pretraining run on held-out clips — generated titles against the real ones (CIDEr,
BLEU-4) and category classification by a linear head on the model's pooled video features (top-1 / top-5 over the
45 classes), as the paper reports its downstream results.

The linear head is fitted on ``--probe-shards`` when given, else on a fixed half of the evaluated clips (chosen by
a hash of the title, so one title is never on both sides) and scored on the other half. ``--benchmark`` scores the
Youku-mPLUG benchmark's own CSV files instead (``jobs.evaluate_benchmark``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch
import yaml

from jobs import main_for
from pipeline.run_folder import RunFolderError, require_complete_shards
from jobs.pretrain import dataset_args
from pipeline.config import ConfigError
from schemas.taxonomy import NAMES
from training.metrics import caption_scores, fit_linear_head, topk_accuracy
from training.recipe import recipe_from_dict
from jobs import parsers


class UsageError(Exception):
    """Unusable run directory, checkpoint or shards: one line, exit status 2."""


def parser() -> argparse.ArgumentParser:
    return parsers.evaluate()


@torch.no_grad()
def collect(model, args: dict[str, Any], limit: int | None, max_new_tokens: int, captions: bool = True) -> dict:
    """Generated titles, references, pooled features and labels over one pass of the shards."""
    from training.data import ShardVideoDataset

    dataset = ShardVideoDataset(**args, train=False, seed=0)
    out: dict[str, list] = {"keys": [], "refs": [], "hyps": [], "features": [], "labels": []}
    skipped: dict[str, int] = {}
    for batch in dataset:
        for reason, n in batch["skipped"].items():
            skipped[reason] = skipped.get(reason, 0) + n
        if not batch["keys"]:
            continue
        video = batch["video"].to(model.device)
        out["keys"] += batch["keys"]
        out["refs"] += batch["titles"]
        out["hyps"] += model.generate(video, max_new_tokens=max_new_tokens) if captions else [""] * len(video)
        out["features"].append(model.video_features(video).float().cpu().numpy())
        out["labels"] += batch["category"].tolist()
        if limit and len(out["keys"]) >= limit:
            break
    out["features"] = np.concatenate(out["features"]) if out["features"] else np.zeros((0, 1), np.float32)
    out["skipped"] = skipped
    return out


def _held_out(title: str) -> bool:
    """The scoring half, by title: clips of one title are never on both sides of the probe (the benchmark's rule)."""
    return hashlib.blake2b(title.encode("utf-8", "surrogatepass"), digest_size=2).digest()[0] % 2 == 1


def classification(evaluated: dict, probe: dict | None) -> dict[str, Any]:
    """Top-1/top-5 of a linear head on pooled features; fitted on ``probe`` or on the non-held-out half."""
    feats, labels = evaluated["features"], np.asarray(evaluated["labels"])
    if probe is None:
        test = np.array([_held_out(t) for t in evaluated["refs"]], dtype=bool)
        fit_x, fit_y, feats, labels = feats[~test], labels[~test], feats[test], labels[test]
    else:
        fit_x, fit_y = probe["features"], np.asarray(probe["labels"])
    fit, score = fit_y >= 0, labels >= 0
    if not fit.any() or not score.any():
        return {"top1": None, "top5": None, "note": "no labelled clips to fit or score the category head"}
    mean, std = fit_x[fit].mean(0), fit_x[fit].std(0) + 1e-6
    head = fit_linear_head((fit_x[fit] - mean) / std, fit_y[fit], len(NAMES))
    with torch.no_grad():
        logits = head(torch.tensor((feats[score] - mean) / std, dtype=torch.float32)).numpy()
    result = topk_accuracy(logits, labels[score], (1, 5))
    result.update(fitted_on=int(fit.sum()), scored_on=int(score.sum()),
                  classes_seen=int(len(np.unique(fit_y[fit]))))
    return result


def _load_model(args):
    from models.mplug_video import build_mplug_video
    from training.checkpoint import checkpoints, load_checkpoint

    run_dir = Path(args.run)
    try:
        recipe = recipe_from_dict(yaml.safe_load((run_dir / "config.yaml").read_text(encoding="utf-8")))
    except (OSError, ConfigError) as exc:
        raise UsageError(f"not a pretraining run ({run_dir / 'config.yaml'}): {exc}") from exc
    found = Path(args.checkpoint) if args.checkpoint else (checkpoints(run_dir) or [None])[-1]
    if found is None or not found.exists():
        raise UsageError(f"no checkpoint in {run_dir / 'checkpoints'}")
    model = build_mplug_video(recipe.model, device=args.device)
    model.load_trainable_state_dict(load_checkpoint(found)["trainable"])
    model.eval()
    return recipe, model, found


def _check_mode(args) -> None:
    bench = [name for name in ("benchmark", "csv", "videos") if getattr(args, name)]
    if args.shards and bench:
        raise UsageError("--shards or --benchmark/--csv/--videos, not both")
    if bench and len(bench) < 3:
        raise UsageError("--benchmark needs --csv and --videos (and they need --benchmark)")
    if not args.shards and not bench:
        raise UsageError("give --shards, or --benchmark with --csv and --videos")
    if args.train_csv and args.benchmark != "classification":
        raise UsageError("--train-csv is for --benchmark classification")


def run(argv: list[str] | None = None) -> dict[str, Any]:
    args = parser().parse_args(argv)
    _check_mode(args)
    if args.benchmark:
        from jobs.evaluate_benchmark import run_benchmark, read_csv

        tables = (read_csv(args.csv, args.benchmark), read_csv(args.train_csv, args.benchmark)
                  if args.train_csv else None)
        recipe, model, found = _load_model(args)
        return run_benchmark(args, recipe, model, found, *tables)
    try:
        require_complete_shards(args.shards + (getattr(args, "probe_shards", None) or []))
    except RunFolderError as exc:
        raise UsageError(str(exc)) from exc
    run_dir = Path(args.run)
    recipe, model, found = _load_model(args)
    try:
        evaluated = collect(model, dataset_args(recipe, model, args.shards, train=False), args.limit,
                            args.max_new_tokens)
        probe = (collect(model, dataset_args(recipe, model, args.probe_shards, train=False), None, 0, False)
                 if args.probe_shards else None)
    except FileNotFoundError as exc:
        raise UsageError(str(exc)) from exc
    if not evaluated["keys"]:
        raise UsageError("no clip could be decoded from the shards")
    captions = caption_scores({k: [r] for k, r in zip(evaluated["keys"], evaluated["refs"])},
                              dict(zip(evaluated["keys"], evaluated["hyps"])))
    result = {"checkpoint": str(found), "captioning": captions, "classification": classification(evaluated, probe),
              "skipped": evaluated["skipped"],
              "examples": [{"title": r, "generated": h} for r, h in zip(evaluated["refs"][:8], evaluated["hyps"])]}
    (run_dir / "eval.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    cls = result["classification"]
    print(f"clips {captions['clips']}: CIDEr {captions['CIDEr']:.1f}  BLEU-4 {captions['BLEU-4']:.1f}  "
          f"category top-1 {cls['top1']}  top-5 {cls['top5']}  (skipped {evaluated['skipped'] or 'none'})")
    for example in result["examples"][:5]:
        print(f"  {example['title']}  ->  {example['generated']}")
    return result


main = main_for(run, "ykcurate evaluate", (UsageError,))


if __name__ == "__main__":
    sys.exit(main())
