"""``ykcurate``: one command, one subcommand per user task."""
from __future__ import annotations

import importlib
import sys

SUBCOMMANDS = {
    "demo": ("jobs.demo", "curate the bundled sample corpus and print the funnel"),
    "curate": ("jobs.curate", "run the curation pipeline (writes ledger + manifest)"),
    "audit": ("jobs.audit", "what was rejected and why: HTML report + terminal summary from the ledger"),
    "reshard": ("jobs.reshard", "re-decide a run with new thresholds from its ledger; new ledger + shards"),
    "pretrain": ("jobs.pretrain", "pretrain mPLUG-video on curated shards (frozen LLM; torchrun for several GPUs)"),
    "evaluate": ("jobs.evaluate", "score a pretraining run: generated titles (CIDEr, BLEU-4), category top-1/top-5"),
    "plan": ("jobs.plan", "project a full run (vCPU/GPU-hours, wall time, shuffle, objects) from a sample"),
    "bench": ("jobs.bench", "benchmarks: `ykcurate bench text --records N`"),
    "make-sample": ("jobs.make_sample", "write the bundled demo corpus with planted defects"),
    "train-text-classifier": ("jobs.train_text_classifier", "train the fastText text-safety classifier"),
    "train-safety-head": ("jobs.train_safety_head", "train the visual-safety linear head on labelled embeddings"),
    "train-category-classifier": ("jobs.train_category_classifier", "train the fastText category classifier"),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in SUBCOMMANDS:
        print("usage: ykcurate <command> [options]\n\ncommands:")
        for name, (_, help_text) in SUBCOMMANDS.items():
            print(f"  {name:<24}{help_text}")
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    module = importlib.import_module(SUBCOMMANDS[argv[0]][0])
    return module.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
