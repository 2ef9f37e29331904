"""``ykcurate reshard``: re-decide a curated run with new thresholds from the scores in its ledger, and write a new
ledger, shards and manifest, without decoding a video or running a model for records whose scores exist.

A Beam pipeline on the same runners and options as curate (pipeline/reshard_graph.py): text stages re-decide from
stored scores, dedup runs curate's own shuffles on the stored titles and keys, the media stages replay the stored
outcomes (pipeline/redecide_media.py), and videos go into the new shards from the old shards, so the source files
may be gone. Records a looser threshold admits into stages they never reached are listed; ``--compute-missing``
runs just those through the media stages. No step holds the ledger in one process.
"""
from __future__ import annotations

import argparse
import json
import posixpath
import sys
import time
from collections import Counter
from typing import Any

import pyarrow.compute as pc
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from jobs import main_for
from pipeline import uris
from pipeline.run_folder import RunFolderError, log_failure, mark_complete, prepare_output, require_complete
from jobs.outputs import write_outputs

from pipeline.balance import balance_ledger
from pipeline.dedup_index import load_earlier, order_runs, run_fingerprint, write_meta
from pipeline.config import ConfigError, config_from_dict, load_config
from pipeline.manifest import code_version, format_funnel, ledger_files, ledger_funnel, write_manifest
from pipeline.reshard_graph import MISSING_REASON, build_reshard
from pipeline.progress import Progress, step
from pipeline.runner import is_local_runner, make_pipeline, spill_enabled
from transforms.batching import Exchange
from jobs import parsers
from pipeline.cli_options import split_args

# Below this many ledger rows, and with no runner options given, reshard runs in-process (4 s less start-up on the
# 134-record benchmark); above it, like curate, one worker process per core.
IN_PROCESS_ROWS = 1_000_000

# Settings that change how a score is computed, not how it is judged: stored scores cannot honour a change.
SCORE_TIME = ("decode", "clip.model", "quality.blank_std", "language.model_path", "text_safety.lexicon_paths",
              "text_safety.use_default_lexicon", "text_safety.classifier_path", "visual_safety.unsafe_prompts",
              "visual_safety.safe_prompts", "visual_safety.head_path", "visual_safety.logit_scale", "category",
              "quality.text_frames", "quality.text_det_side", "quality.text_recognition", "visual_safety.nsfw_weights",
              "visual_safety.nsfw_sexy_weight", "visual_safety.nsfw_min_frames")
# Signals a run may have skipped: switching one off is a judgement (replayed), switching it on needs scores it lacks.
SWITCHES = ("quality.text_detection", "visual_safety.nsfw")

def _lookup(tree: dict, dotted: str) -> Any:
    for part in dotted.split("."):
        tree = (tree or {}).get(part)
    return tree

def resolved_source(tree: dict) -> dict:
    """The run's config with today's defaults filled in, and the signals it predates marked off (not computed)."""
    tree = {section: dict(values) if isinstance(values, dict) else values for section, values in tree.items()}
    tree.setdefault("balance", {})  # runs from before the balance stage existed
    for key in SWITCHES:
        section, name = key.split(".")
        tree.setdefault(section, {}).setdefault(name, False)
    return config_from_dict(tree, []).to_dict()

def score_time_changes(source: dict, config: dict) -> list[str]:
    """The SCORE_TIME settings that differ between the run's (resolved) config and the new one, and the signals the
    new one switches on that the run did not compute."""
    changed = [key for key in SCORE_TIME if _lookup(source, key) != _lookup(config, key)]
    return changed + [f"{key} (off in the run)" for key in SWITCHES if _lookup(config, key) and not _lookup(source, key)]

class UsageError(Exception):
    """Unusable run directory, output or config: one line, exit status 2."""

def parser() -> argparse.ArgumentParser:
    return parsers.reshard()

def _config(args, manifest: dict):
    overrides = list(args.overrides)
    if args.shard_size is not None:
        overrides.append(f"shards.samples_per_shard={args.shard_size}")
    if args.max_per_category is not None:
        overrides.append(f"balance.max_per_category={args.max_per_category}")
    try:
        if args.config:
            return load_config(args.config, overrides)
        return config_from_dict(resolved_source(manifest["config"]), overrides)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc

def changes(old_parts: list[str], new_dir: str) -> tuple[dict[str, Any], list[dict]]:
    """What moved, part by part (both ledgers hold the same rows in the same order, one file at a time in memory):
    kept -> rejected by the new rejecting stage, rejected -> kept by the old one, rejected elsewhere; and the
    records still missing media scores."""
    newly_rejected, newly_kept, moved = Counter(), Counter(), Counter()
    missing = []
    columns = ["record_id", "video_id", "status", "stage", "reason"]
    for path in old_parts:
        with FileSystems.open(path) as handle:
            before = pq.read_table(handle, columns=columns)
        with FileSystems.open(FileSystems.join(new_dir, posixpath.basename(path))) as handle:
            after = pq.read_table(handle, columns=columns)
        was_kept = pc.equal(before.column("status"), "kept")
        is_kept = pc.equal(after.column("status"), "kept")
        for mask, counter, stage in ((pc.and_(was_kept, pc.invert(is_kept)), newly_rejected, after.column("stage")),
                                     (pc.and_(pc.invert(was_kept), is_kept), newly_kept, before.column("stage"))):
            counter.update(Counter(pc.filter(stage, mask).to_pylist()))
        elsewhere = pc.and_(pc.and_(pc.invert(was_kept), pc.invert(is_kept)),
                            pc.not_equal(pc.fill_null(before.column("stage"), ""),
                                         pc.fill_null(after.column("stage"), "")))
        moved.update(f"{a} -> {b}" for a, b in zip(pc.filter(before.column("stage"), elsewhere).to_pylist(),
                                                   pc.filter(after.column("stage"), elsewhere).to_pylist()))
        gone = pc.fill_null(pc.equal(after.column("reason"), MISSING_REASON), False)
        missing += after.filter(gone).select(["video_id", "record_id"]).to_pylist()
    return ({"kept_to_rejected": dict(sorted(newly_rejected.items())),
             "rejected_to_kept": dict(sorted(newly_kept.items())),
             "rejected_elsewhere": dict(sorted(moved.items()))}, missing)

def _format_changes(report: dict) -> str:
    lines = []
    for title, key in (("kept -> rejected (new stage)", "kept_to_rejected"),
                       ("rejected -> kept (old stage)", "rejected_to_kept")):
        items = report["changes"][key]
        lines.append(f"{title}: {sum(items.values()):,}" + "".join(f"\n  {k:<16}{v:>10,}" for k, v in items.items()))
    if report["missing"]:
        lines.append(f"missing scores: {len(report['missing']):,} records never reached the stages the new "
                     f"thresholds send them to (listed in reshard.json; --compute-missing scores them)")
    return "\n".join(lines)

class PipelineFailed(Exception):
    """Writing the outputs failed on a worker: one line naming the step and the log file, exit status 1."""

def run(argv: list[str] | None = None) -> dict[str, Any]:
    """Re-decide, write the new ledger, outputs and manifest; return the manifest."""
    args, beam_args = split_args(parser(), argv)
    args.run, args.output = uris.absolute(args.run), uris.absolute(args.output)
    if posixpath.normpath(args.run.rstrip("/")) == posixpath.normpath(args.output.rstrip("/")):
        raise UsageError("--output must differ from --run (the run's shards are the source of the videos)")
    try:
        require_complete(args.run)
    except RunFolderError as exc:
        raise UsageError(str(exc)) from exc
    manifest_path = FileSystems.join(args.run, "manifest.json")
    with FileSystems.open(manifest_path) as handle:
        source = json.loads(handle.read())
    config = _config(args, source)
    changed = score_time_changes(resolved_source(source["config"]), config.to_dict())
    if changed:
        raise UsageError(f"{', '.join(changed)} changed: these settings decide how scores are computed, so the "
                         "stored scores cannot be re-judged; run curate again")
    try:
        earlier = order_runs([load_earlier(against["run"], config) for against in source.get("against") or []])
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    recorded = {a["run"]: a["fingerprint"] for a in source.get("against") or []}
    moved = [r.uri for r in earlier if recorded[r.uri] != r.fingerprint]
    if moved:
        raise UsageError(f"{', '.join(moved)} changed since this run was checked against it (fingerprint differs); "
                         "curate the batch again")
    try:
        prepare_output(args.output, args.overwrite)
    except RunFolderError as exc:
        raise UsageError(str(exc)) from exc
    started = time.time()
    parts = ledger_files(FileSystems.join(args.run, "ledger"))
    if not parts:
        raise UsageError(f"no ledger files under {FileSystems.join(args.run, 'ledger')}")
    media = source.get("phase") == "all" or args.compute_missing
    ledger_dir = FileSystems.join(args.output, "ledger")
    index_dir = FileSystems.join(args.output, "index")
    if not beam_args and source.get("funnel", {}).get("input", IN_PROCESS_ROWS) < IN_PROCESS_ROWS:
        beam_args = ["--direct_num_workers=1"]  # small ledger: starting worker processes costs more than it saves
    try:
        spill = spill_enabled(config.shuffle.spill, beam_args, args.output)
        pipeline = make_pipeline(beam_args)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    spill_dir = FileSystems.join(args.output, "_spill") if spill else None
    rows = source.get("funnel", {}).get("input")
    input_root = (source.get("input") or {}).get("root", "")  # ledger video paths are relative to it
    show = not args.quiet and is_local_runner(beam_args)
    step(f"re-deciding {len(parts):,} ledger files ({f'{rows:,}' if rows else 'unknown'} rows) of {args.run}", args.quiet)
    try:
        build_reshard(pipeline, config, parts, args.run, ledger_dir, Exchange(spill_dir), media,
                      args.compute_missing, FileSystems.join(args.output, "embeddings"), input_root, earlier,
                      index_dir, (source.get("input") or {}).get("bytes") or 0)
        with Progress("reshard", enabled=show, expected=rows):
            pipeline.run().wait_until_finish()
    except Exception as exc:  # noqa: BLE001 - any worker failure: one line here, the traceback in _logs/
        raise PipelineFailed(log_failure(args.output, "reshard", exc)) from exc
    finally:
        if spill_dir:
            uris.remove(spill_dir)
    capped = balance_ledger(ledger_dir, config.balance)
    decided = time.time() - started
    previous = FileSystems.join(args.run, "shards")
    outputs = None
    if media:
        step("writing shards, shard index, curated table and pretrain.csv", args.quiet)
        try:
            with Progress("outputs", enabled=show):
                    outputs = write_outputs(args.output, config, beam_args,
                                        previous if FileSystems.exists(FileSystems.join(previous, "index.parquet"))
                                        else None, input_root)
        except Exception as exc:  # noqa: BLE001 - a worker failure: one line here, the traceback in _logs/
            raise PipelineFailed(log_failure(args.output, "reshard", exc)) from exc
    step("counting the funnel and the changes", args.quiet)
    counts = ledger_funnel(ledger_dir)
    moved, missing = changes(parts, ledger_dir)
    report = {"changes": moved, "capped": capped, "missing": missing}
    manifest = {
        "phase": "all" if media else "text",
        "resharded_from": {"run": args.run, "config_fingerprint": source.get("config_fingerprint")},
        "code_version": code_version(), "config": config.to_dict(), "config_fingerprint": config.fingerprint(),
        "input": source.get("input"), "models": source.get("models"), "ledger": ledger_dir,
        "against": [{"run": r.uri, "fingerprint": r.fingerprint} for r in earlier], "funnel": counts,
        "outputs": outputs,
        "reshard": {**report["changes"], "capped": capped, "missing": len(missing)},
        "timings": {"seconds": round(time.time() - started, 3), "decide_seconds": round(decided, 3)},
    }
    manifest_path = FileSystems.join(args.output, "manifest.json")
    write_manifest(manifest_path, {**manifest, "ledger": "ledger"})
    write_manifest(FileSystems.join(args.output, "reshard.json"), report)
    with FileSystems.open(manifest_path) as handle:
        write_meta(args.output, config, run_fingerprint(handle.read()))
    mark_complete(args.output)
    if not args.quiet:
        print(format_funnel(counts))
        print(_format_changes(report))
        print(f"ledger: {ledger_dir}  ({counts['input']:,} rows, {manifest['timings']['seconds']:.1f}s)")
    return manifest

main = main_for(run, "ykcurate reshard", (UsageError,), (PipelineFailed,))

if __name__ == "__main__":
    sys.exit(main())
