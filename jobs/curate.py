"""``ykcurate curate``: run the curation pipeline over raw records and write the ledger and manifest.

Exit status 0 whenever the run completes, whatever was rejected; a one-line message and status 2 for an unusable
config or unreadable input.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import sys
import time
from typing import Any

from apache_beam.io.filesystems import FileSystems

from filters.language import DEFAULT_MODEL
from pipeline.config import ConfigError, load_config, resolve_partitions
from pipeline.dedup_index import load_earlier, order_runs, run_fingerprint, write_meta
from pipeline.gc_tuning import tune_collector
from pipeline.manifest import (code_version, file_fingerprint, format_funnel, input_fingerprint, ledger_funnel,
                               write_manifest)
from pipeline import uris
from pipeline.run_folder import RunFolderError, log_failure, mark_complete, prepare_output
from pipeline.progress import Progress, step
from pipeline.runner import (for_input_size, is_local_runner, make_pipeline, runner_label, shuffle_stats,
                             spill_enabled, worker_slots)
from jobs import main_for
from jobs.outputs import write_outputs
from pipeline.balance import balance_ledger
from pipeline.build import build
from transforms.read import InputError, plan_reads
from jobs import parsers
from pipeline.cli_options import split_args


def clip_fingerprint(model: str) -> str | None:
    """sha256 of the CLIP checkpoint (the bundled tiny model when ``clip.model`` is empty), or of the spec."""
    from models.clip_model import TINY_CLIP_DIR

    if not model:
        return file_fingerprint(str(TINY_CLIP_DIR / "model.pt"))
    return file_fingerprint(FileSystems.join(model, "model.pt")) or hashlib.sha256(model.encode()).hexdigest()


def _same_folder(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


class UsageError(Exception):
    """Bad input or config: reported as one line, exit status 2."""


class PipelineFailed(Exception):
    """The run failed on a worker: one line naming the step and the log file, exit status 1."""


def parser() -> argparse.ArgumentParser:
    return parsers.curate()


def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the pipeline; return the manifest. Raises UsageError for unusable config or input."""
    args, beam_args = split_args(parser(), argv)
    args.input = [uris.absolute(p) for p in args.input]
    args.output = uris.absolute(args.output)
    quiet = args.quiet
    try:
        config = load_config(args.config, args.overrides)
        tasks = plan_reads(args.input, config.read)
        fingerprint = input_fingerprint(args.input)
        if args.phase == "text":  # the media phase's cost follows the videos, not the metadata's bytes
            beam_args = for_input_size(beam_args, fingerprint["bytes"])
        config = resolve_partitions(config, fingerprint["bytes"], worker_slots(beam_args))
        spill = spill_enabled(config.shuffle.spill, beam_args, args.output, fingerprint["bytes"])
        earlier = order_runs([load_earlier(uris.absolute(run), config) for run in args.against])
        if any(_same_folder(run.uri, args.output) for run in earlier):
            raise ValueError("--against names the --output folder itself; earlier runs are never modified")
        prepare_output(args.output, args.overwrite)
    except (ConfigError, InputError, RunFolderError, ValueError) as exc:
        raise UsageError(str(exc)) from exc
    input_root = tasks[0].root  # ledger sources and video paths are relative to it
    ledger_dir = uris.join(args.output, "ledger")
    index_dir = uris.join(args.output, "index")
    spill_dir = uris.join(args.output, "_spill") if spill else None
    embeddings_dir = uris.join(args.output, "embeddings")
    for directory in [ledger_dir, index_dir, embeddings_dir, uris.join(args.output, "thumbnails")]:
        if uris.is_local(directory) and (args.phase == "all" or directory in (ledger_dir, index_dir)):
            os.makedirs(uris.local_path(directory), exist_ok=True)  # object stores need no folders

    started = time.time()
    try:
        pipeline = make_pipeline(beam_args)
    except ValueError as exc:
        raise UsageError(f"runner options: {exc}") from exc
    show = not quiet and is_local_runner(beam_args)
    slots = worker_slots(beam_args)
    step(f"{args.phase} phase: {len(tasks):,} unit{'s' if len(tasks) != 1 else ''} of work, "
         f"{fingerprint['bytes']:,} bytes, on {runner_label(pipeline)} "
         f"({slots} worker slot{'s' if slots != 1 else ''})", quiet)
    try:
        build(pipeline, config, tasks, ledger_dir, spill_dir, args.phase, embeddings_dir, earlier, index_dir)
        tune_collector()  # the driver holds the local runners' shuffles: see pipeline.gc_tuning
        with Progress("curate", enabled=show, input_bytes=fingerprint["bytes"]):
            result = pipeline.run()
            result.wait_until_finish()
    except Exception as exc:  # noqa: BLE001 - any worker failure: one line here, the traceback in _logs/
        raise PipelineFailed(log_failure(args.output, "curate", exc)) from exc
    finally:
        if spill_dir:
            uris.remove(spill_dir)
    if not uris.has_files(ledger_dir):
        raise UsageError(f"no records in {', '.join(args.input)}: every input file is empty, blank or only a "
                         "CSV header")
    if config.balance.max_per_category:
        step(f"balancing categories (at most {config.balance.max_per_category:,} each)", quiet)
    balance_ledger(ledger_dir, config.balance)
    seconds = time.time() - started

    outputs = None
    if args.phase == "all":
        step("writing shards, shard index, curated table and pretrain.csv", quiet)
        with Progress("outputs", enabled=show):
            outputs = write_outputs(args.output, config, beam_args, input_root=input_root)
    step("counting the funnel", quiet)
    counts = ledger_funnel(ledger_dir)
    manifest = {
        "phase": args.phase,
        "runner": runner_label(pipeline),
        "code_version": code_version(),
        "config": config.to_dict(),
        "config_fingerprint": config.fingerprint(),
        "input": {"patterns": args.input, "root": input_root, **fingerprint},
        "models": {
            "language": file_fingerprint(config.language.model_path or str(DEFAULT_MODEL)),
            "text_safety_classifier": file_fingerprint(config.text_safety.classifier_path),
            "text_safety_lexicons": [file_fingerprint(p) for p in config.text_safety.lexicon_paths],
            "clip": (clip_fingerprint(config.clip.model) if args.phase == "all" else None),
        },
        "ledger": ledger_dir,
        "against": [{"run": run.uri, "fingerprint": run.fingerprint} for run in earlier],
        "funnel": counts,
        "partitions": config.near_dup.partitions,
        "shuffle": shuffle_stats(result),
        "outputs": outputs,
        "timings": {"seconds": round(seconds, 3),
                    "records_per_second": round(counts["input"] / seconds, 1) if seconds else None},
    }
    # stored relative to the run folder (two identical runs write the same manifest paths); the returned
    # manifest names the ledger by its full path, for the caller
    manifest_path = uris.join(args.output, "manifest.json")
    write_manifest(manifest_path, {**manifest, "ledger": "ledger"})
    with FileSystems.open(manifest_path) as handle:
        write_meta(args.output, config, run_fingerprint(handle.read()))
    mark_complete(args.output)
    if not args.quiet:
        print(format_funnel(counts))
        print(f"ledger: {ledger_dir}  ({counts['input']:,} rows, {seconds:.1f}s, "
              f"{manifest['timings']['records_per_second']:,} records/s)")
    return manifest


main = main_for(run, "ykcurate curate", (UsageError,), (PipelineFailed,))


if __name__ == "__main__":
    sys.exit(main())
