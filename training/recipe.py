"""A pretraining recipe (configs/pretrain_*.yaml): ``model`` (built by models.mplug_video), ``data`` and ``train``
(typed here, unknown keys rejected), plus ``--set key=value`` overrides as for curation."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pipeline.config import ConfigError, _build, _set_dotted
from pipeline.config_checks import INF, check_ranges, valid_device
from training.schedule import TrainConfig

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"


@dataclass
class DataConfig:
    num_frames: int = 4                # the paper: 4 in pretraining
    batch_size: int = 48               # per GPU (1.3B recipe)
    num_workers: int = 4
    shuffle_buffer: int = 0
    decode_short_side: int = 0         # 0 = the model's image size
    eval_num_frames: int = 0           # 0 = num_frames (the paper: 16 for captioning, 8 for classification)


@dataclass
class Recipe:
    model: dict[str, Any]
    data: DataConfig
    train: TrainConfig

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "data": dataclasses.asdict(self.data), "train": dataclasses.asdict(self.train)}


RANGES = {
    "data.num_frames": (1, 256), "data.batch_size": (1, 100_000), "data.num_workers": (0, 1024),
    "data.shuffle_buffer": (0, INF), "data.decode_short_side": (0, 8192), "data.eval_num_frames": (0, 256),
    "train.steps": (0, INF), "train.lr": (0, 10), "train.min_lr": (0, 10), "train.warmup_steps": (0, INF),
    "train.weight_decay": (0, 10), "train.eps": (1e-12, 1), "train.grad_clip": (0, INF),
    "train.grad_accum": (1, 100_000), "train.seed": (0, 2**32 - 1), "train.log_every": (1, INF),
    "train.save_every": (1, INF), "train.keep_checkpoints": (1, 100_000),
}
CHOICES = {"train.precision": ("auto", "fp32", "fp16", "bf16")}


def _check(recipe: Recipe) -> Recipe:
    problems = check_ranges(recipe, RANGES, CHOICES)
    betas = recipe.train.betas
    if len(betas) != 2 or not all(isinstance(b, (int, float)) and 0 <= b < 1 for b in betas):
        problems.append(f"train.betas: expected two numbers in [0, 1), got {betas!r}")
    if not valid_device(recipe.train.device):
        problems.append(f"train.device: expected auto, cpu, cuda, cuda:N or mps, got {recipe.train.device!r}")
    if problems:
        raise ConfigError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
    return recipe


def resolve_recipe_path(path: str | Path) -> Path:
    """A path as given, or a bundled recipe name (``pretrain_tiny`` / ``pretrain_tiny.yaml``)."""
    given = Path(path)
    if given.exists():
        return given
    for candidate in (CONFIG_DIR / given.name, CONFIG_DIR / f"{given.name}.yaml"):
        if candidate.exists():
            return candidate
    raise ConfigError(f"no such recipe: {path}")


def recipe_from_dict(tree: dict[str, Any], overrides: list[str] | tuple[str, ...] = ()) -> Recipe:
    tree = yaml.safe_load(yaml.safe_dump(tree))  # a deep copy
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set expects key=value, got {item!r}")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw
        _set_dotted(tree, key.strip(), value)
    unknown = sorted(set(tree) - {"model", "data", "train"})
    if unknown:
        raise ConfigError(f"unknown recipe section {unknown[0]} (known: model, data, train)")
    if not isinstance(tree.get("model"), dict):
        raise ConfigError("the recipe needs a model section")
    return _check(Recipe(tree["model"], _build(DataConfig, tree.get("data") or {}, "data"),
                         _build(TrainConfig, tree.get("train") or {}, "train")))


def load_recipe(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Recipe:
    recipe = resolve_recipe_path(path)
    try:
        tree = yaml.safe_load(recipe.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"recipe {recipe} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from exc
    return recipe_from_dict(tree, overrides)
