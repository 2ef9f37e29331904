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


def _evaluate(run: Path, root: Path, csvs: dict[str, Path], scorers: list[str]) -> dict[str, Any]:
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


def run_youku_benchmark(workdir: str, per_category: int = 20, steps: int = 300, seed: int = 11) -> dict[str, Any]:
    from jobs import curate, pretrain

    root = Path(workdir)
    paths = make_benchmark_set(root, per_category=per_category, seed=seed)
    runs = root / "runs"
    tiny = str(resolve_path("configs/tiny_clip.yaml"))
    common = ["--phase", "all", "--config", tiny, "--overwrite", "--quiet"]
    curate.run([*common, "--input", str(paths["train"]), "--output", str(runs / "train")])
    curate.run([*common, "--input", str(paths["test"]), "--output", str(runs / "test"),
                "--against", str(runs / "train")])
    csvs = write_csvs(root, runs / "train", runs / "test")
    shards = str(runs / "train" / "shards" / "*.tar")
    before = _llm_digest()
    result: dict[str, Any] = {"per_category": per_category, "steps": steps, "csvs": {k: str(v) for k, v in
                                                                                      csvs.items()}}
    for name, extra, scorers in (("frozen_llm", [], ["likelihood"]), ("with_itc", ITC, ["likelihood", "itc"])):
        run = root / "pretrain" / name
        shutil.rmtree(run, ignore_errors=True)  # both start from the same init, never from an older run
        pretrain.run(["--shards", shards, "--config", "pretrain_tiny", "--output", str(run), "--steps", str(steps),
                      "--set", "train.device=cpu", "--quiet", *extra])
        result[name] = _evaluate(run, root, csvs, scorers)
    result["llm_unchanged"] = _llm_digest() == before
    return result
