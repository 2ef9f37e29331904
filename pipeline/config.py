"""Typed configuration (the dataclasses of ``schemas.config``) loaded from a YAML recipe plus ``--set key=value``
overrides.

Each stage reads only its own section, so a threshold has exactly one home. Unknown keys are an error: a typo in a
threshold must never silently fall back to a default. The fingerprint (sha256 of the resolved config) goes into the
manifest so two runs can be compared.
"""
from __future__ import annotations

import copy
import dataclasses
from pathlib import Path
from typing import Any

import yaml

from pipeline.config_checks import check_config
from schemas.config import (  # noqa: F401 - re-exported: the loader's callers name the types from here
    BalanceConfig, CategoryConfig, ClipConfig, ClipScoreConfig, Config, ConfigError, DecodeConfig, DurationConfig,
    ExactDupConfig, LanguageConfig, NearDupConfig, QualityConfig, ReadConfig, ShardsConfig, ShuffleConfig,
    TextSafetyConfig, TitleQualityConfig, VisualDupConfig, VisualSafetyConfig)

__all__ = ["BalanceConfig", "CategoryConfig", "ClipConfig", "ClipScoreConfig", "Config", "ConfigError",
           "DecodeConfig", "DurationConfig", "ExactDupConfig", "LanguageConfig", "NearDupConfig", "QualityConfig",
           "ReadConfig", "ShardsConfig", "ShuffleConfig", "TextSafetyConfig", "TitleQualityConfig",
           "VisualDupConfig", "VisualSafetyConfig", "DEFAULT_RECIPE", "auto_partitions", "resolve_partitions",
           "load_config", "config_from_dict"]

DEFAULT_RECIPE = Path(__file__).resolve().parent.parent / "configs" / "youku_mplug.yaml"


PARTITIONS_PER_SLOT = 2
PARTITION_BYTES = 256 << 20


def auto_partitions(input_bytes: int, slots: int) -> int:
    """Shuffle partitions for ``partitions: 0``: 2 per worker slot (at least 8), more only when a partition would
    otherwise hold over 256 MiB of input.

    Why not from the input size alone: every batch splits into up to one piece per partition, so partitions that
    grow with the input make shuffle pieces grow with input x partitions (quadratically). Partitions follow the
    cluster instead (a reducer count, as in MapReduce); pieces then grow linearly with the input, and adding
    workers is what keeps each partition's memory in check. The 256 MiB floor only matters when a huge input runs
    on too few workers.
    """
    return max(8, PARTITIONS_PER_SLOT * max(1, slots), -(-input_bytes // PARTITION_BYTES))


def resolve_partitions(config: Config, input_bytes: int, slots: int) -> Config:
    """Fill ``partitions: 0`` (auto) with ``auto_partitions``."""
    auto = auto_partitions(input_bytes, slots)
    if not config.exact_dup.partitions:
        config.exact_dup.partitions = auto
    if not config.near_dup.partitions:
        config.near_dup.partitions = auto
    return config


def _build(cls: type, data: dict[str, Any], where: str) -> Any:
    if data is None and not where:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where or 'config'}: expected a mapping, got {type(data).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"unknown config key {where + '.' if where else ''}{unknown[0]} "
                          f"(known: {', '.join(sorted(fields))})")
    kwargs = {}
    for name, value in data.items():
        f = fields[name]
        default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
        path = f"{where}.{name}" if where else name
        if dataclasses.is_dataclass(default):
            kwargs[name] = _build(type(default), value or {}, path)
        else:
            kwargs[name] = _coerce(value, default, path)
    return cls(**kwargs)


def _coerce(value: Any, default: Any, path: str) -> Any:
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: expected true/false, got {value!r}")
        return value
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{path}: expected a number, got {value!r}")
        if isinstance(default, int) and not isinstance(value, int):
            if not float(value).is_integer():
                raise ConfigError(f"{path}: expected an integer, got {value!r}")
            value = int(value)
        return type(default)(value)
    if isinstance(default, str):
        return "" if value is None else str(value)
    if isinstance(default, list):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{path}: expected a list, got {value!r}")
        return list(value)
    return value


def _set_dotted(tree: dict[str, Any], dotted: str, value: Any) -> None:
    parts = dotted.split(".")
    node = tree
    for part in parts[:-1]:
        if node.get(part) is None:  # absent, or an optional section left null (model.contrastive)
            node[part] = {}
        node = node[part]
        if not isinstance(node, dict):
            raise ConfigError(f"--set {dotted}: {part} is not a section")
    node[parts[-1]] = value


def load_config(path: str | Path | None = None, overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """Load a recipe (default: configs/youku_mplug.yaml) and apply ``key=value`` overrides (values parsed as YAML)."""
    recipe = Path(path) if path else DEFAULT_RECIPE
    try:
        tree = yaml.safe_load(recipe.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read config {recipe}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"config {recipe} is not valid YAML{where}: {problem}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config {recipe} is not UTF-8 text (byte {exc.start})") from exc
    return config_from_dict(tree, overrides)


def config_from_dict(tree: dict[str, Any], overrides: list[str] | tuple[str, ...] = ()) -> Config:
    """A Config from a plain tree (a recipe, or a run's resolved config from its manifest) plus ``key=value``
    overrides."""
    tree = copy.deepcopy(tree)
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set expects key=value, got {item!r}")
        try:
            value = yaml.safe_load(raw) if raw.strip() else ""
        except yaml.YAMLError:
            value = raw  # not YAML: taken as a string (a number setting then reports its type)
        _set_dotted(tree, key.strip(), value)
    config = _build(Config, tree, "")
    problems = check_config(config)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(problems[0] + more)
    return config
