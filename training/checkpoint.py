"""Checkpoints of a pretraining run: only the trainable parameters (encoder, abstractor, projection) plus optimizer,
scheduler and RNG states, so a resumed run continues the same loss curve; the frozen LLM is never written (it is
named by path and fingerprint in the run's config instead).

Files are ``RUN/checkpoints/step-NNNNNNN.pt``, written under a temporary name and renamed, so a run killed while
saving leaves the previous checkpoint intact; the newest complete one is what ``--resume`` finds.
"""
from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import numpy as np
import torch

_NAME = re.compile(r"^step-(\d+)\.pt$")


def rng_state() -> dict[str, Any]:
    state = {"python": random.getstate(), "numpy": np.random.get_state(), "torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def checkpoints(run_dir: str | Path) -> list[Path]:
    """Complete checkpoints of a run, oldest first."""
    folder = Path(run_dir) / "checkpoints"
    found = [(int(m.group(1)), p) for p in folder.glob("step-*.pt") if (m := _NAME.match(p.name))]
    return [p for _, p in sorted(found)]


def save_checkpoint(run_dir: str | Path, step: int, state: dict[str, Any], keep: int = 2) -> Path:
    folder = Path(run_dir) / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"step-{step:07d}.pt"
    tmp = path.with_suffix(".pt.tmp")
    torch.save({"step": step, **state, "rng": rng_state()}, tmp)
    tmp.replace(path)
    for old in checkpoints(run_dir)[:-keep] if keep > 0 else []:
        old.unlink()
    return path


def load_checkpoint(path: str | Path) -> dict[str, Any]:
    # weights_only=False: the RNG states are numpy/python objects; only load checkpoints this project wrote.
    return torch.load(path, map_location="cpu", weights_only=False)
