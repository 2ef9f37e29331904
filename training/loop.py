"""The pretraining loop: shards -> batches -> next-token loss on titles -> AdamW steps, with checkpoints and exact
resume. One code path for CPU, one GPU and torchrun/DDP: device, precision and distribution come from the config
and the environment (``WORLD_SIZE``/``LOCAL_RANK`` set by torchrun).

Exact resume rests on three things: checkpoints hold the trainable weights, optimizer, scheduler and RNG states;
the data stream is a pure function of (seed, batch number) and restarts at the next batch without decoding the
skipped ones (training/data.py); and each sample's augmentation is seeded by its key, not by worker scheduling.
"""
from __future__ import annotations

import contextlib
import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist

from training.checkpoint import checkpoints, load_checkpoint, save_checkpoint, set_rng_state
from training.data import ShardVideoDataset, make_loader
from training.schedule import TrainConfig, make_optimizer, make_scheduler


def setup_distributed(device: str) -> tuple[int, int, str]:
    """(rank, world size, device) — initialises the process group when launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if device in (None, "auto"):
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo")
    rank = dist.get_rank() if dist.is_initialized() else 0
    if device == "cuda" and world > 1:
        device = f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}"
    if device.startswith("cuda"):
        torch.cuda.set_device(torch.device(device))
    return rank, world, device


def autocast_dtype(precision: str, device: str) -> torch.dtype | None:
    """bf16 autocast on CUDA by default (the paper trains in bf16); none (fp32) on CPU unless asked."""
    if precision in (None, "auto"):
        return torch.bfloat16 if device.startswith("cuda") else None
    return {"bf16": torch.bfloat16, "fp16": torch.float16, "fp32": None}[precision]


def autocast(device: str, dtype: torch.dtype | None):
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type="cuda" if device.startswith("cuda") else "cpu", dtype=dtype)


def _to(batch: dict, device: str) -> dict:
    return {k: (v.to(device, non_blocking=True) if torch.is_tensor(v) else v) for k, v in batch.items()}


class Trainer:
    """Owns the model, optimizer and data of one run directory."""

    def __init__(self, model, dataset_args: dict[str, Any], cfg: TrainConfig, run_dir: str | Path,
                 num_workers: int = 2, progress: bool = True) -> None:
        self.cfg, self.run_dir, self.progress = cfg, Path(run_dir), progress
        self.rank, self.world, self.device = setup_distributed(cfg.device)
        torch.manual_seed(cfg.seed)
        self.model = model.to(self.device)
        self.core = model
        if self.world > 1:
            self.model = torch.nn.parallel.DistributedDataParallel(
                model, device_ids=[torch.device(self.device).index] if self.device.startswith("cuda") else None)
        params = [(n, p) for n, p in self.core.named_parameters() if p.requires_grad]
        self.optimizer = make_optimizer(params, cfg)
        self.scheduler = make_scheduler(self.optimizer, cfg)
        self.dtype = autocast_dtype(cfg.precision, self.device)
        self.scaler = torch.amp.GradScaler("cuda", enabled=self.dtype == torch.float16)
        self.step = 0
        self.skipped: Counter = Counter()
        self.dataset_args, self.num_workers = dataset_args, num_workers

    def resume(self, path: str | Path | None = None) -> int:
        """Load the newest checkpoint (or ``path``); return the step it continues from (0 if none)."""
        found = Path(path) if path else (checkpoints(self.run_dir) or [None])[-1]
        if found is None:
            return 0
        state = load_checkpoint(found)
        self.core.load_trainable_state_dict(state["trainable"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.skipped = Counter(state.get("skipped", {}))
        set_rng_state(state["rng"])
        self.step = int(state["step"])
        return self.step

    def save(self) -> Path | None:
        if self.rank != 0:
            return None
        state = {"trainable": self.core.trainable_state_dict(), "optimizer": self.optimizer.state_dict(),
                 "scheduler": self.scheduler.state_dict(), "skipped": dict(self.skipped)}
        return save_checkpoint(self.run_dir, self.step, state, self.cfg.keep_checkpoints)

    def _loader(self):
        dataset = ShardVideoDataset(**self.dataset_args, train=True, seed=self.cfg.seed,
                                    start_batch=self.step * self.cfg.grad_accum, rank=self.rank,
                                    world_size=self.world)
        return make_loader(dataset, num_workers=self.num_workers)

    def _micro_step(self, batch: dict) -> tuple[float, int]:
        batch = _to(batch, self.device)
        with autocast(self.device, self.dtype):
            loss = self.model(batch["video"], batch["input_ids"], batch["attention_mask"])["loss"]
        self.scaler.scale(loss / self.cfg.grad_accum).backward()
        return float(loss.detach()), len(batch["keys"])

    def train(self, steps: int | None = None, log=None) -> list[dict]:
        """Run until ``steps`` optimizer steps in all (default cfg.steps); return the log records of this call."""
        steps = self.cfg.steps if steps is None else steps
        records: list[dict] = []
        log_path = self.run_dir / "train_log.jsonl"
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.model.train()
        batches = iter(self._loader())
        bar = None
        if self.progress and self.rank == 0:
            from tqdm import tqdm
            bar = tqdm(total=steps, initial=self.step, unit="step", dynamic_ncols=True)
        started, samples = time.perf_counter(), 0
        while self.step < steps:
            losses = []
            for _ in range(self.cfg.grad_accum):
                batch = next(batches)
                self.skipped.update(batch["skipped"])
                if not len(batch["keys"]):
                    continue
                loss, n = self._micro_step(batch)
                losses.append(loss)
                samples += n
            self.scaler.unscale_(self.optimizer)
            trainable = [p for g in self.optimizer.param_groups for p in g["params"]]
            grad_norm = float(torch.nn.utils.clip_grad_norm_(trainable, self.cfg.grad_clip))
            self.scaler.step(self.optimizer)
            self.scaler.update()
            self.optimizer.zero_grad(set_to_none=True)
            lr = self.scheduler.get_last_lr()[0]
            self.scheduler.step()
            self.step += 1
            record = {"step": self.step, "loss": sum(losses) / len(losses) if losses else None, "lr": lr,
                      "grad_norm": round(grad_norm, 4),
                      "samples_per_s": round(samples * self.world / (time.perf_counter() - started), 2),
                      "skipped": dict(self.skipped)}
            records.append(record)
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{record['loss']:.4f}" if record["loss"] is not None else "-", lr=f"{lr:.2e}")
            if self.rank == 0 and (self.step % self.cfg.log_every == 0 or self.step == steps):
                with open(log_path, "a", encoding="utf-8") as handle:
                    handle.write(json.dumps(record) + "\n")
                if log:
                    log(record)
            if self.step % self.cfg.save_every == 0 or self.step == steps:
                self.save()
        if bar is not None:
            bar.close()
        return records
