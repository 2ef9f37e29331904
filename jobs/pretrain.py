"""``ykcurate pretrain``: train mPLUG-video (trainable video encoder + abstractor, frozen LLM) on curated WebDataset
shards. Resumes from the newest checkpoint in ``--output`` unless ``--fresh``; several GPUs with
``torchrun --nproc_per_node N -m jobs.pretrain ...``.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import torch
import yaml

from jobs import main_for
from pipeline.run_folder import RunFolderError, require_complete_shards
from pipeline.config import ConfigError
from schemas.taxonomy import NAMES
from training.data import expand_shards
from training.recipe import Recipe, load_recipe, recipe_from_dict
from jobs import parsers


class UsageError(Exception):
    """Unusable recipe, shards or run directory: one line, exit status 2."""


def parser() -> argparse.ArgumentParser:
    return parsers.pretrain()


def samples_per_epoch(shards: list[str]) -> int | None:
    """Rows of the curated index beside local shards, so a resumed run skips whole epochs without reading."""
    import pyarrow.parquet as pq


    urls = expand_shards(shards)
    folders = {str(Path(u).parent) for u in urls if "://" not in u and not u.startswith("pipe:")}
    if len(folders) != 1:
        return None
    index = Path(folders.pop()) / "index.parquet"
    if not index.exists():
        return None
    names = {Path(u).name for u in urls}
    shard_column = pq.read_table(index, columns=["shard"]).column("shard").to_pylist()
    return sum(1 for s in shard_column if s in names) or None


def dataset_args(recipe: Recipe, model, shards: list[str], train: bool = True) -> dict[str, Any]:
    """Keyword arguments of ``ShardVideoDataset`` for this recipe and model: the model's image size, and titles
    laid out as the model reads them ([bos] title eos, at most model.max_text_tokens)."""
    frames = recipe.data.num_frames if train or not recipe.data.eval_num_frames else recipe.data.eval_num_frames
    return {"shards": shards, "num_frames": frames, "image_size": model.encoder.config.image_size,
            "tokenizer": TitleTokenizer(model.tokenizer, model.bos_id), "max_text_tokens": model.max_text_tokens,
            "batch_size": recipe.data.batch_size, "pad_id": model.pad_id, "eos_id": model.eos_ids[0],
            "categories": NAMES, "shuffle_buffer": recipe.data.shuffle_buffer if train else 0,
            "decode_short_side": recipe.data.decode_short_side or None,
            "samples_per_epoch": samples_per_epoch(shards)}


class TitleTokenizer:
    """title -> [bos] + token ids (the dataset appends eos); picklable for DataLoader workers."""

    def __init__(self, tokenizer, bos_id: int | None) -> None:
        self.tokenizer = tokenizer
        self.bos = [bos_id] if bos_id is not None else []

    def __call__(self, title: str) -> list[int]:
        return self.bos + self.tokenizer(title, add_special_tokens=False)["input_ids"]


def _recipe(args) -> Recipe:
    saved = Path(args.output) / "config.yaml"
    try:
        if saved.exists() and not args.fresh:  # a resumed run keeps its recipe; --set may still change it
            recipe = recipe_from_dict(yaml.safe_load(saved.read_text(encoding="utf-8")), args.overrides)
        else:
            recipe = load_recipe(args.config, args.overrides)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc
    if args.steps is not None:
        recipe.train.steps = args.steps
    return recipe


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Train; return {"step", "first_loss", "last_loss", "skipped", "parameters", "log"}."""
    from models.mplug_video import build_mplug_video
    from training.checkpoint import checkpoints
    from training.loop import Trainer, setup_distributed

    args = parser().parse_args(argv)
    out = Path(args.output)
    try:
        require_complete_shards(args.shards + (getattr(args, "probe_shards", None) or []))
    except RunFolderError as exc:
        raise UsageError(str(exc)) from exc
    if args.fresh and checkpoints(out):
        raise UsageError(f"{out} already holds checkpoints; drop --fresh to resume or choose another --output")
    recipe = _recipe(args)
    try:
        expand_shards(args.shards)  # before any model loads: a bad pattern is one line, not a progress bar and one
        _, _, device = setup_distributed(recipe.train.device)
        torch.manual_seed(recipe.train.seed)  # the same seed builds the same model on every rank
        model = build_mplug_video(recipe.model, device=device)
        shards_args = dataset_args(recipe, model, args.shards)
    except (FileNotFoundError, ValueError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    counts = model.parameter_counts()
    trainer = Trainer(model, shards_args, recipe.train, out, num_workers=recipe.data.num_workers,
                      progress=not args.quiet)
    if trainer.rank == 0:
        out.mkdir(parents=True, exist_ok=True)
        (out / "config.yaml").write_text(yaml.safe_dump(recipe.to_dict(), allow_unicode=True, sort_keys=False),
                                         encoding="utf-8")
        print(f"parameters: {counts['trainable']:,} trainable, {counts['frozen']:,} frozen (LLM)  "
              f"device {trainer.device}, precision {trainer.dtype or 'fp32'}, world size {trainer.world}")
    start = trainer.resume()
    if start and trainer.rank == 0:
        print(f"resuming from step {start}")
    records = trainer.train()
    losses = [r["loss"] for r in records if r["loss"] is not None]
    result = {"step": trainer.step, "resumed_from": start, "parameters": counts, "skipped": dict(trainer.skipped),
              "first_loss": losses[0] if losses else None, "last_loss": losses[-1] if losses else None,
              "losses": losses, "log": str(out / "train_log.jsonl")}
    if trainer.rank == 0:
        (out / "summary.json").write_text(json.dumps({k: v for k, v in result.items() if k != "losses"}, indent=2))
        print(f"step {trainer.step}: loss {result['first_loss']} -> {result['last_loss']}; "
              f"skipped samples {dict(trainer.skipped) or 'none'}; checkpoints in {out / 'checkpoints'}")
    return result


main = main_for(run, "ykcurate pretrain", (UsageError,))


if __name__ == "__main__":
    sys.exit(main())
