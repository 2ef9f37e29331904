"""``ykcurate``: one command, one subcommand per user task."""
from __future__ import annotations

import importlib
import sys

from jobs import parsers

SUBCOMMANDS = {
    "demo": ("jobs.demo", "curate the bundled sample corpus and print the funnel"),
    "curate": ("jobs.curate", "run the curation pipeline (writes ledger + manifest)"),
    "audit": ("jobs.audit", "what was rejected and why: HTML report + terminal summary from the ledger"),
    "reshard": ("jobs.reshard", "re-decide a run with new thresholds from its ledger; new ledger + shards"),
    "pretrain": ("jobs.pretrain", "pretrain mPLUG-video on curated shards (frozen LLM; torchrun for several GPUs)"),
    "evaluate": ("jobs.evaluate", "score a pretraining run: generated titles (CIDEr, BLEU-4), category top-1/top-5"),
    "corpus": ("jobs.corpus", "combine runs curated with --against into one corpus (no video copied)"),
    "plan": ("jobs.plan", "project a full run (vCPU/GPU-hours, wall time, shuffle, objects) from a sample"),
    "bench": ("jobs.bench", "benchmarks on generated data: text, media, reshard, incremental, train, audit, minhash"),
    "make-sample": ("jobs.make_sample", "write the bundled demo corpus with planted defects"),
    "train-text-classifier": ("jobs.train_text_classifier", "train the fastText text-safety classifier"),
    "train-safety-head": ("jobs.train_safety_head", "train the visual-safety linear head on labelled embeddings"),
    "train-category-classifier": ("jobs.train_category_classifier", "train the fastText category classifier"),
}


def _usage() -> str:
    width = max(len(name) for name in SUBCOMMANDS) + 2
    lines = ["usage: ykcurate <command> [options]   (ykcurate <command> --help for its options)", "", "commands:"]
    lines += [f"  {name:<{width}}{help_text}" for name, (_, help_text) in SUBCOMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("-h", "--help"):
        print(_usage())
        return 0
    if not argv or argv[0] not in SUBCOMMANDS:
        import difflib

        if not argv:
            print("ykcurate: error: no command given (ykcurate --help lists them)", file=sys.stderr)
            return 2
        close = difflib.get_close_matches(argv[0], list(SUBCOMMANDS), n=1)
        hint = f" (did you mean {close[0]}?)" if close else " (ykcurate --help lists them)"
        print(f"ykcurate: error: unknown command {argv[0]!r}{hint}", file=sys.stderr)
        return 2
    name, rest = argv[0], argv[1:]
    if any(arg in ("-h", "--help") for arg in rest) and hasattr(parsers, name.replace("-", "_")):
        getattr(parsers, name.replace("-", "_"))().parse_known_args(rest)  # prints the help and exits 0
    module = importlib.import_module(SUBCOMMANDS[name][0])
    return module.main(rest)


def entry() -> None:
    """The ``ykcurate`` console script: ``main``, then leave without running C++ static destructors.

    Why: after a command has finished and flushed everything, native libraries loaded along the way (gRPC servers
    of Beam's local runner, torch and decord thread pools) can abort interpreter teardown with "terminate called
    without an active exception" (exit -6), turning a finished run into a failed one. Every output is closed and
    every stream flushed before ``os._exit``; the exit status is the command's.
    """
    import logging
    import os

    try:
        code = main()
    except SystemExit as exc:  # argparse's --help
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    except BrokenPipeError:  # output piped into `head`: not an error of ours
        os._exit(0)
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:
        pass
    os._exit(code)


if __name__ == "__main__":
    entry()
