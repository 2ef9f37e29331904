"""``ykcurate bench text|media|reshard|incremental|youku-benchmark|minhash``: generated corpora, timed runs, speed/memory/accuracy reports."""
from __future__ import annotations

import argparse
import sys
import tempfile
from typing import Any
from jobs import main_for
from pipeline.cli_options import POSITIVE, split_args, strict_parser


def parser() -> argparse.ArgumentParser:
    p = strict_parser(prog="ykcurate bench", epilog=None, description=(
        "Benchmarks on generated data: speed, memory and accuracy reports (figures for docs/BENCHMARKS.md)."))
    sub = p.add_subparsers(dest="what", required=True)
    text = sub.add_parser("text", help="text phase on a generated corpus with planted defects")
    text.add_argument("--records", type=POSITIVE, default=200_000, help="records to generate (default 200,000)")
    text.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    text.add_argument("--workdir", help="where the corpus and output go (default: a temporary directory)")
    text.add_argument("--no-stages", action="store_true", help="skip the one-core per-stage measurement")
    text.add_argument("--no-reference", action="store_true",
                      help="skip the single-process plain-loop reference (bench/plain_loop.py) run beside curate")
    text.add_argument("--json", help="also write the report as JSON here")
    media = sub.add_parser("media", help="decode / embedding / end-to-end rates on the generated video sample")
    media.add_argument("--clips", type=POSITIVE, default=24, help="generated clips (default 24)")
    media.add_argument("--workdir", help="where the clips and runs go (default: a temporary directory)")
    resh = sub.add_parser("reshard", help="curate the video sample, then reshard it stricter: both timed")
    resh.add_argument("--clips", type=POSITIVE, default=120, help="generated clips (default 120)")
    resh.add_argument("--workdir", help="where the clips and runs go (default: a temporary directory)")
    train = sub.add_parser("train", help="mPLUG-video training-step throughput (and MFU on a GPU)")
    train.add_argument("--config", default="pretrain_tiny", help="pretrain_tiny, pretrain_base or a recipe path")
    train.add_argument("--batch", type=POSITIVE, default=8, help="clips per step (default 8)")
    train.add_argument("--steps", type=POSITIVE, default=10, help="timed steps (default 10)")
    train.add_argument("--frames", type=POSITIVE, default=4, help="frames per clip (default 4)")
    train.add_argument("--text-tokens", type=POSITIVE, default=32, help="title tokens per clip (default 32)")
    train.add_argument("--device", default="auto", help="auto (cuda when present), cpu, cuda or cuda:N")
    audit = sub.add_parser("audit", help="audit of a synthetic N-row ledger (vectorised, file by file)")
    audit.add_argument("--rows", type=POSITIVE, default=10_000_000, help="ledger rows to generate (default 10M)")
    audit.add_argument("--workdir", help="where the ledger goes (default: a temporary directory)")
    inc = sub.add_parser("incremental", help="a new batch curated --against a base run vs a full rerun of both")
    inc.add_argument("--base", type=POSITIVE, default=1_000_000, help="base records (default 1,000,000)")
    inc.add_argument("--new", type=POSITIVE, default=100_000, help="new records (default 100,000)")
    inc.add_argument("--workdir", help="where the corpus and runs go (default: a temporary directory)")
    yk = sub.add_parser("youku-benchmark", help="synthetic benchmark: classification, retrieval, captioning, "
                                                "with and without the contrastive head")
    yk.add_argument("--per-category", type=POSITIVE, default=20, help="source clips per category (default 20)")
    yk.add_argument("--steps", type=POSITIVE, default=150, help="pretraining steps of each model (default 150)")
    yk.add_argument("--batch", type=POSITIVE, default=32, help="clips per step, both models (default 32)")
    yk.add_argument("--workdir", help="where the clips, runs and models go (default: a temporary directory)")
    minhash = sub.add_parser("minhash", help="vectorised MinHash vs datasketch per record")
    minhash.add_argument("--records", type=POSITIVE, default=20_000, help="titles to hash (default 20,000)")
    return p


def run(argv: list[str] | None = None) -> dict[str, Any]:
    args, extra = split_args(parser(), argv)
    if args.what == "media":
        import json

        from bench.media import run_media_bench

        result = run_media_bench(args.workdir or tempfile.mkdtemp(prefix="ykcurate-bench-media-"), args.clips)
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return result
    if args.what == "reshard":
        import json

        from bench.reshard import run_reshard_bench

        result = run_reshard_bench(args.workdir or tempfile.mkdtemp(prefix="ykcurate-bench-reshard-"), args.clips)
        print(json.dumps(result, indent=2))
        return result
    if args.what == "train":
        import json

        from bench.train import run_train_bench

        result = run_train_bench(args.config, args.batch, args.steps, args.frames, args.text_tokens, args.device)
        print(json.dumps(result, indent=2))
        return result
    if args.what == "audit":
        import json

        from bench.audit import bench_audit

        result = bench_audit(args.rows, args.workdir or tempfile.mkdtemp(prefix="ykcurate-bench-audit-"))
        print(json.dumps(result, indent=2))
        return result
    if args.what == "incremental":
        import json

        from bench.incremental import run_incremental_bench

        result = run_incremental_bench(args.base, args.new,
                                       args.workdir or tempfile.mkdtemp(prefix="ykcurate-bench-incremental-"))
        print(json.dumps(result, indent=2))
        return result
    if args.what == "youku-benchmark":
        import json

        from bench.youku_benchmark import run_youku_benchmark

        result = run_youku_benchmark(args.workdir or tempfile.mkdtemp(prefix="ykcurate-bench-youku-"),
                                     args.per_category, args.steps, args.batch)
        print(json.dumps(result, indent=2, ensure_ascii=False))
        return result
    if args.what == "minhash":
        from bench.minhash import compare

        result = compare(args.records)
        print(result)
        return result
    from bench.text import format_report, run_text_bench, write_json

    workdir = args.workdir or tempfile.mkdtemp(prefix="ykcurate-bench-")
    result = run_text_bench(args.records, workdir, args.seed, extra, stages=not args.no_stages,
                            reference=not args.no_reference)
    print(format_report(result))
    if args.json:
        write_json(result, args.json)
    return result


main = main_for(run, "ykcurate bench", (ValueError,))


if __name__ == "__main__":
    sys.exit(main())
