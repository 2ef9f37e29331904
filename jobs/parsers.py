"""Every command's options, in one light module: ``ykcurate X --help`` builds its parser from here without importing
Beam, torch or the command itself, so help returns at once; each ``jobs/X.py`` parses with the same function.
"""
from __future__ import annotations

import argparse

from pipeline.cli_options import NON_NEGATIVE, POSITIVE, strict_parser

_SET_HELP = "override a config value, e.g. --set duration.max_seconds=90 (repeatable)"
_OVERWRITE_HELP = "replace the run in a used --output (removes only what a run writes there)"


def curate() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate curate", description=(
        "Run the curation pipeline over raw records: writes OUTPUT/ledger (one row per input record), the manifest, "
        "and with --phase all the WebDataset shards, curated table and pretrain.csv. Exit 0 whenever the run "
        "completes, whatever was rejected; 2 with one line for an unusable option, config or input; 1 with one "
        "line (and a saved traceback) when the run fails."))
    p.add_argument("--input", required=True, action="append",
                   help="JSONL, CSV or Parquet records (.gz/.bz2/.zst too): a path, glob or URI (repeatable)")
    p.add_argument("--output", required=True, help="run folder to create (local path or any Beam filesystem URI)")
    p.add_argument("--config", help="YAML recipe (default: configs/youku_mplug.yaml)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help=_SET_HELP)
    p.add_argument("--phase", choices=["text", "all"], default="all",
                   help="text: only the metadata stages (no video needed); all: every stage (default)")
    p.add_argument("--against", action="append", default=[], metavar="RUN",
                   help="an earlier run folder (repeatable): new records that duplicate a record it kept are "
                        "rejected at exact_dup / near_dup, dup_of naming the video and dup_of_run the run's "
                        "fingerprint (listed in the manifest); earlier runs are only read")
    p.add_argument("--overwrite", action="store_true", help=_OVERWRITE_HELP)
    p.add_argument("--quiet", action="store_true", help="print nothing but errors (no progress, no funnel)")
    return p


def corpus() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate corpus", epilog=None, description=(
        "Combine runs curated incrementally (curate --against) into one corpus: shard list and index, "
        "pretrain.csv and a funnel across runs, without copying videos."))
    p.add_argument("--runs", nargs="+", required=True, metavar="RUN", help="run folders, oldest first")
    p.add_argument("--output", required=True, help="corpus folder to create (local path or any Beam filesystem URI)")
    p.add_argument("--max-per-category", type=NON_NEGATIVE, default=0,
                   help="keep at most N records per category across all runs, best by the runs' balance.score")
    p.add_argument("--overwrite", action="store_true", help="replace a corpus in a used --output")
    return p


def reshard() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate reshard", description=(
        "Re-decide an earlier run with new thresholds from its ledger's stored scores (no decoding, no model), and "
        "write a new ledger, shards and manifest into a new folder."))
    p.add_argument("--run", required=True, help="output folder of an earlier curate (or reshard) run")
    p.add_argument("--output", required=True, help="new run folder (not the run itself)")
    p.add_argument("--config", help="YAML recipe to start from (default: the run's own resolved config)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. --set clip_score.percentile=30 (repeatable)")
    p.add_argument("--shard-size", type=POSITIVE, help="samples per shard (shards.samples_per_shard)")
    p.add_argument("--max-per-category", type=NON_NEGATIVE, help="keep at most N per category, best by score")
    p.add_argument("--compute-missing", action="store_true",
                   help="run records the new thresholds admit into stages they never reached through those stages")
    p.add_argument("--overwrite", action="store_true", help=_OVERWRITE_HELP)
    p.add_argument("--quiet", action="store_true", help="print nothing but errors (no progress, no summary)")
    return p


def demo() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate demo", description=(
        "Curate the bundled sample corpus (text phase), then a generated video sample through every stage with "
        "the bundled tiny CLIP, then pretrain and evaluate the tiny mPLUG-video on the shards."))
    p.add_argument("--output", default="demo-out", help="folder for the demo's runs (replaced on every run)")
    p.add_argument("--text-only", action="store_true", help="skip the video part")
    p.add_argument("--pretrain-steps", type=NON_NEGATIVE, default=100,
                   help="pretrain the tiny mPLUG-video on the curated shards for this many steps (0: skip)")
    return p


def audit() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate audit", epilog=None, description=(
        "What was rejected and why, from the ledger alone: a self-contained HTML report and the same figures on "
        "the terminal (funnel, score histograms with thresholds, categories, sampled rejections per reason)."))
    p.add_argument("--run", required=True, help="a curate or reshard output folder")
    p.add_argument("--html", help="where to write the report (default: RUN/audit.html)")
    p.add_argument("--stage", help="only records decided at this stage (e.g. near_dup)")
    p.add_argument("--reason", help="only records whose reason contains this text")
    p.add_argument("--category", help="only records of this category (name as in the ledger)")
    p.add_argument("--sample", type=NON_NEGATIVE, default=5, help="rejected records shown per stage and reason (default 5)")
    p.add_argument("--seed", type=int, default=0, help="seed of the sampling (default 0)")
    p.add_argument("--export-review", metavar="CSV", help="write a review sheet of sampled decisions and stop")
    p.add_argument("--ingest-review", metavar="CSV", help="read a filled review sheet: error rates per stage")
    return p


def pretrain() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate pretrain", epilog=None, description=(
        "Pretrain mPLUG-video (frozen LLM, trainable visual abstractor) on curated WebDataset shards; resumes from "
        "the newest checkpoint in --output. Several GPUs: launch with torchrun."))
    p.add_argument("--shards", required=True, action="append",
                   help="shard pattern: 'OUT/shards/*.tar', brace ranges, http(s)://, gs://, pipe: (repeatable)")
    p.add_argument("--config", default="pretrain_tiny", help="recipe path or bundled name (default: pretrain_tiny)")
    p.add_argument("--output", required=True, help="run directory: config, log, checkpoints")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a recipe value, e.g. --set train.lr=1e-4 (repeatable)")
    p.add_argument("--steps", type=NON_NEGATIVE, help="train until this many optimizer steps (default: train.steps)")
    p.add_argument("--fresh", action="store_true", help="refuse to resume: the output must hold no checkpoint")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def evaluate() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate evaluate", epilog=None, description=(
        "Score a pretraining run: on held-out shards (generated titles: CIDEr, BLEU-4; a linear category probe: "
        "top-1, top-5), or on the Youku-mPLUG benchmark's CSV files (--benchmark, --csv, --videos)."))
    p.add_argument("--run", required=True, help="a pretrain --output directory")
    p.add_argument("--shards", action="append", help="held-out shards (patterns as for pretrain)")
    p.add_argument("--probe-shards", action="append", help="shards to fit the category head on (default: half)")
    p.add_argument("--benchmark", choices=["classification", "retrieval", "captioning"],
                   help="a Youku-mPLUG benchmark task, read from --csv with its clips under --videos")
    p.add_argument("--csv", help="the task's CSV file as published (video_id:FILE,title,label / clip_name:FILE,"
                                 "caption / video_id:FILE,golden_caption)")
    p.add_argument("--videos", help="folder (or object-store prefix) the CSV's FILE paths are relative to")
    p.add_argument("--train-csv", help="classification: the benchmark's train split, to fit the linear head on "
                                       "(default: the title half of --csv)")
    p.add_argument("--score", choices=["auto", "itc", "likelihood"], default="auto",
                   help="retrieval scores: itc (the contrastive head), likelihood (the frozen LLM's caption "
                        "log-probability); auto = itc when the model has the head")
    p.add_argument("--predictions", help="per-item predictions, JSON lines (default: <run>/eval/<task>.jsonl)")
    p.add_argument("--checkpoint", help="checkpoint file (default: the run's newest)")
    p.add_argument("--max-new-tokens", type=POSITIVE, default=40, help="longest generated title, in tokens")
    p.add_argument("--limit", type=POSITIVE, help="at most this many clips (shards mode)")
    p.add_argument("--batch-size", type=POSITIVE, default=16, help="clips per forward pass (benchmark mode)")
    p.add_argument("--device", default="auto", help="auto (cuda when present), cpu, cuda or cuda:N")
    return p


def plan() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate plan", epilog=None, description=(
        "Project a full run (vCPU- and GPU-hours, wall time, shuffle volume, objects) from a curated sample."))
    p.add_argument("--input", required=True, help="a sample of the corpus: one JSONL file")
    p.add_argument("--records", type=POSITIVE, required=True, help="records in the full corpus")
    p.add_argument("--workers", type=POSITIVE, default=100, help="workers of the full run (default 100)")
    p.add_argument("--worker-vcpus", type=POSITIVE, default=4, help="vCPUs per worker (default 4)")
    p.add_argument("--phase", choices=["text", "all"], default="text", help="which phase to project (default text)")
    p.add_argument("--gpu-videos-per-second", type=float, default=60.0,
                   help="embedding rate of one GPU (decode + 8 frames + title); default: an L4 with ViT-B/16")
    p.add_argument("--check", metavar="BIGGER.jsonl",
                   help="also curate this bigger sample and compare its measured figures with the projection")
    p.add_argument("--config", help="YAML recipe (default: configs/youku_mplug.yaml)")
    p.add_argument("--write-doc", metavar="PATH", help="write the projection here (e.g. docs/SCALE.md)")
    p.add_argument("--json", help="also write the projection as JSON here")
    return p


def make_sample() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate make-sample", epilog=None,
                      description="(Re)generate the bundled demo corpus with every planted defect, and its truth file.")
    p.add_argument("--output", help="folder for records.jsonl and truth.jsonl (default: the bundled bench/sample)")
    p.add_argument("--records", type=POSITIVE, default=400, help="records to write (default 400)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    return p


def train_text_classifier() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate train-text-classifier", epilog=None,
                      description="Train the fastText text-safety classifier that text_safety can load.")
    p.add_argument("--input", required=True, help="labelled CSV (title,label) or fastText-format file")
    p.add_argument("--output", required=True, help="model file to write (.ftz / .bin)")
    p.add_argument("--epoch", type=POSITIVE, default=25, help="training epochs (default 25)")
    p.add_argument("--lr", type=float, default=0.5, help="learning rate (default 0.5)")
    p.add_argument("--no-quantize", action="store_true", help="write the full model instead of a quantised one")
    return p


def train_safety_head() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate train-safety-head", epilog=None,
                      description="Train the visual-safety linear head on labelled CLIP embeddings.")
    p.add_argument("--embeddings", required=True, help=".npz with arrays embeddings (n, D) and labels (n,) 0/1")
    p.add_argument("--output", required=True, help="head file to write (.npz)")
    p.add_argument("--l2", type=float, default=1e-3, help="L2 penalty on the standardised weights")
    p.add_argument("--no-balance", action="store_true", help="do not weight the two classes equally")
    return p


def train_category_classifier() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate train-category-classifier", epilog=None,
                      description="Train the fastText category classifier that category verification can load.")
    p.add_argument("--input", required=True, help="classification CSV (video_id:FILE,title,label or title,label)")
    p.add_argument("--output", required=True, help="model file to write (.bin / .ftz)")
    p.add_argument("--epoch", type=POSITIVE, default=25, help="training epochs (default 25)")
    p.add_argument("--lr", type=float, default=0.5, help="learning rate (default 0.5)")
    p.add_argument("--dim", type=POSITIVE, default=50, help="vector size (a multiple of 10)")
    p.add_argument("--no-quantize", action="store_true", help="write the full model instead of a quantised one")
    return p
