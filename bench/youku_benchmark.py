"""``ykcurate bench youku-benchmark``: the three benchmark tasks end to end on the synthetic benchmark, with and
without the contrastive head.

make the set -> curate train -> curate test --against train -> CSVs -> pretrain the tiny mPLUG-video twice from the
same init, data order and seed (the paper's model; the same plus ``model.contrastive``) -> ``evaluate`` each on
classification, retrieval (caption likelihood for both, the ITC head's embeddings for the second) and captioning.
The frozen LLM's weights file is hashed before and after: training must leave it bit-identical.
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

from bench.benchmark_set import make_benchmark_set, write_csvs
from models.mplug_video import resolve_path

ITC = ["--set", "model.contrastive.dim=64", "--set", "model.contrastive.weight=1.0"]


def _llm_digest() -> str:
    folder = Path(resolve_path("models/tiny_llm"))
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.glob("*.safetensors")))).hexdigest()[:16]


def evaluate_run(run: Path, root: Path, csvs: dict[str, Path], scorers: list[str]) -> dict[str, Any]:
    """A pretraining run on the three tasks (retrieval once per scorer)."""
    from jobs import evaluate

    common = ["--run", str(run), "--videos", str(root), "--device", "cpu"]
    out = {"classification": evaluate.run([*common, "--benchmark", "classification",
                                           "--csv", str(csvs["classification.csv"]),
                                           "--train-csv", str(csvs["classification_train.csv"])])}
    for scorer in scorers:
        out[f"retrieval_{scorer}"] = evaluate.run([*common, "--benchmark", "retrieval", "--csv",
                                                   str(csvs["retrieval.csv"]), "--score", scorer,
                                                   "--predictions", str(run / "eval" / f"retrieval_{scorer}.jsonl")])
    out["captioning"] = evaluate.run([*common, "--benchmark", "captioning", "--csv", str(csvs["captioning.csv"])])
    return out


def prepare_benchmark(root: Path, per_category: int, seed: int = 11, quiet: bool = True,
                      beam_args: tuple[str, ...] = ()) -> tuple[str, dict]:
    """Make the synthetic set under ``root``, curate train, then test ``--against`` train (``beam_args``: runner
    options), write the CSVs; return (the train run's shard pattern, the CSV paths)."""
    from jobs import curate

    paths = make_benchmark_set(root, per_category=per_category, seed=seed)
    runs = root / "runs"
    common = ["--phase", "all", "--config", str(resolve_path("configs/tiny_clip.yaml")), "--overwrite",
              *(["--quiet"] if quiet else []), *beam_args]
    curate.run([*common, "--input", str(paths["train"]), "--output", str(runs / "train")])
    curate.run([*common, "--input", str(paths["test"]), "--output", str(runs / "test"),
                "--against", str(runs / "train")])
    return str(runs / "train" / "shards" / "*.tar"), write_csvs(root, runs / "train", runs / "test")


def pretrain_fresh(run: Path, shards: str, steps: int, extra: list[str], quiet: bool = True) -> dict:
    """The tiny mPLUG-video trained from its init (an older run in ``run`` is removed first)."""
    from jobs import pretrain

    shutil.rmtree(run, ignore_errors=True)
    return pretrain.run(["--shards", shards, "--config", "pretrain_tiny", "--output", str(run), "--steps",
                         str(steps), "--set", "train.device=cpu", *(["--quiet"] if quiet else []), *extra])


def run_youku_benchmark(workdir: str, per_category: int = 20, steps: int = 150, batch: int = 32,
                        seed: int = 11) -> dict[str, Any]:
    """Both models see the same ``batch`` clips per step: InfoNCE learns only what its negatives tell apart, and at
    the tiny recipe's 8 a batch rarely holds two clips of one scene (docs/BENCHMARKS.md)."""
    root = Path(workdir)
    shards, csvs = prepare_benchmark(root, per_category, seed)
    before = _llm_digest()
    result: dict[str, Any] = {"per_category": per_category, "steps": steps, "batch": batch,
                              "csvs": {k: str(v) for k, v in csvs.items()}}
    for name, extra, scorers in (("frozen_llm", [], ["likelihood"]), ("with_itc", ITC, ["likelihood", "itc"])):
        run = root / "pretrain" / name
        pretrain_fresh(run, shards, steps, ["--set", f"data.batch_size={batch}", *extra])
        result[name] = evaluate_run(run, root, csvs, scorers)
    result["llm_unchanged"] = _llm_digest() == before
    return result
