"""``ykcurate reshard``: re-decide a curated run with new thresholds from the scores in its ledger, and write a new
ledger, shards and manifest, without decoding a video or running a model for records whose scores exist.

Text stages and dedup are re-decided exactly (pipeline/redecide.py); the media stages replay the stored outcomes
(pipeline/redecide_media.py); videos go into the new shards from the old shards, so the source files may be gone.
Records a looser threshold admits into stages they never reached are listed; ``--compute-missing`` runs just those
through the media stages. Runs in one process over the ledger (seconds for a million rows).
"""
from __future__ import annotations

import argparse
import json
import posixpath
import sys
import time
from collections import Counter
from typing import Any

from apache_beam.io.filesystems import FileSystems

from jobs import main_for
from pipeline import uris
from pipeline.run_folder import RunFolderError, log_failure, mark_complete, prepare_output, require_complete
from jobs.outputs import write_outputs
from pipeline.balance import cap_categories
from pipeline.config import ConfigError, config_from_dict, load_config
from pipeline.manifest import code_version, format_funnel, ledger_funnel, read_ledger_parts, write_manifest
from pipeline.redecide import redecide_text
from pipeline.redecide_media import MISSING, MediaReplay, media_item, redecide_media
from schemas.ledger import to_table
from transforms.ledger import write_table

# Beam runs only the shard writer here: in-process is faster than starting worker processes for it.
DEFAULT_BEAM_ARGS = ["--direct_num_workers=1"]


# Settings that change how a score is computed, not how it is judged: stored scores cannot honour a change.
SCORE_TIME = ("decode", "clip.model", "quality.blank_std", "language.model_path", "text_safety.lexicon_paths",
              "text_safety.use_default_lexicon", "text_safety.classifier_path", "visual_safety.unsafe_prompts",
              "visual_safety.safe_prompts", "visual_safety.head_path", "visual_safety.logit_scale", "category")


def _lookup(tree: dict, dotted: str) -> Any:
    for part in dotted.split("."):
        tree = (tree or {}).get(part)
    return tree


def score_time_changes(source: dict, config: dict) -> list[str]:
    """The SCORE_TIME settings that differ between the run's config and the new one."""
    return [key for key in SCORE_TIME if _lookup(source, key) != _lookup(config, key)]


class UsageError(Exception):
    """Unusable run directory, output or config: one line, exit status 2."""


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ykcurate reshard", description=__doc__.splitlines()[0])
    p.add_argument("--run", required=True, help="output directory of an earlier curate (or reshard) run")
    p.add_argument("--output", required=True, help="new output directory (not the run itself)")
    p.add_argument("--config", help="YAML recipe to start from (default: the run's own resolved config)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a config value, e.g. --set clip_score.percentile=30")
    p.add_argument("--shard-size", type=int, help="samples per shard (shards.samples_per_shard)")
    p.add_argument("--max-per-category", type=int, help="keep at most N per category, best by score")
    p.add_argument("--compute-missing", action="store_true",
                   help="run records the new thresholds admit into stages they never reached through those stages")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the run in a used --output (removes only what a run writes there)")
    p.add_argument("--quiet", action="store_true")
    return p


def _config(args, manifest: dict):
    overrides = list(args.overrides)
    if args.shard_size is not None:
        overrides.append(f"shards.samples_per_shard={args.shard_size}")
    if args.max_per_category is not None:
        overrides.append(f"balance.max_per_category={args.max_per_category}")
    try:
        if args.config:
            return load_config(args.config, overrides)
        tree = dict(manifest["config"])
        tree.setdefault("balance", {})  # runs from before the balance stage existed
        return config_from_dict(tree, overrides)
    except ConfigError as exc:
        raise UsageError(str(exc)) from exc


def _read_parts(ledger_dir: str) -> dict[str, list[dict]]:
    parts = {posixpath.basename(path): rows for path, rows in read_ledger_parts(ledger_dir).items()}
    if not parts:
        raise UsageError(f"no ledger files under {ledger_dir}")
    return parts


def _compute_missing(rows: list[dict], old: dict[int, tuple], config, output: str) -> dict[int, dict]:
    """Fresh media outcomes for the kept records with no stored media scores (decode + embed, in-process)."""
    from transforms.media import MediaScorer

    replay = MediaReplay(config)
    todo = [row for row in rows if row["status"] == "kept" and replay.outcome(row, old[row["record_id"]]) == MISSING]
    if not todo:
        return {}
    embeddings_dir = FileSystems.join(output, "embeddings")
    for directory in (embeddings_dir, FileSystems.join(output, "thumbnails")):
        if not FileSystems.exists(directory):
            FileSystems.mkdirs(directory)
    results, _, _ = MediaScorer(config, embeddings_dir).process(0, [media_item(row) for row in todo])
    for _, updates in results:  # written into the new run: resolved there, so redecide can read them now
        for key in ("embedding_file", "thumbnail_file"):
            updates[key] = uris.resolve(output, updates.get(key))
    return dict(results)


def changes(old: dict[int, tuple], rows: list[dict]) -> dict[str, Any]:
    """What moved: kept -> rejected by the new rejecting stage, rejected -> kept by the old one."""
    newly_rejected, newly_kept, moved = Counter(), Counter(), Counter()
    for row in rows:
        before_status, before_stage, _ = old[row["record_id"]]
        if before_status == "kept" and row["status"] != "kept":
            newly_rejected[row["stage"]] += 1
        elif before_status != "kept" and row["status"] == "kept":
            newly_kept[before_stage] += 1
        elif before_status != "kept" and row["status"] != "kept" and before_stage != row["stage"]:
            moved[f"{before_stage} -> {row['stage']}"] += 1
    return {"kept_to_rejected": dict(sorted(newly_rejected.items())),
            "rejected_to_kept": dict(sorted(newly_kept.items())),
            "rejected_elsewhere": dict(sorted(moved.items()))}


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
    args, beam_args = parser().parse_known_args(argv)
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
    changed = score_time_changes(source["config"], config.to_dict())
    if changed:
        raise UsageError(f"{', '.join(changed)} changed: these settings decide how scores are computed, so the "
                         "stored scores cannot be re-judged; run curate again")
    try:
        prepare_output(args.output, args.overwrite)
    except RunFolderError as exc:
        raise UsageError(str(exc)) from exc
    started = time.time()
    parts = _read_parts(FileSystems.join(args.run, "ledger"))
    rows = [row for part in parts.values() for row in part]
    for row in rows:  # the source run's embeddings and thumbnails are inputs of this run: named by their URI
        for key in ("embedding_file", "thumbnail_file"):
            if row.get(key):
                row[key] = uris.resolve(args.run, row[key])
    old = {row["record_id"]: (row["status"], row["stage"], row["reason"]) for row in rows}

    redecide_text(rows, config)
    media = source.get("phase") == "all"
    missing: list[dict] = []
    if media or args.compute_missing:
        computed = _compute_missing(rows, old, config, args.output) if args.compute_missing else None
        missing = redecide_media(rows, old, config, computed)
    capped = cap_categories(rows, config.balance)

    ledger_dir = FileSystems.join(args.output, "ledger")
    for name, part in parts.items():
        write_table(to_table(part), FileSystems.join(ledger_dir, name))
    decided = time.time() - started
    previous = FileSystems.join(args.run, "shards")
    outputs = None
    if media or args.compute_missing:
        try:
            outputs = write_outputs(args.output, config, beam_args or DEFAULT_BEAM_ARGS,
                                    previous if FileSystems.exists(FileSystems.join(previous, "index.parquet"))
                                    else None)
        except Exception as exc:  # noqa: BLE001 - a worker failure: one line here, the traceback in _logs/
            raise PipelineFailed(log_failure(args.output, "reshard", exc)) from exc
    counts = ledger_funnel(ledger_dir)
    report = {"changes": changes(old, rows), "capped": capped,
              "missing": [{"video_id": r["video_id"], "record_id": r["record_id"]} for r in missing]}
    manifest = {
        "phase": "all" if (media or args.compute_missing) else "text",
        "resharded_from": {"run": args.run, "config_fingerprint": source.get("config_fingerprint")},
        "code_version": code_version(), "config": config.to_dict(), "config_fingerprint": config.fingerprint(),
        "input": source.get("input"), "models": source.get("models"), "ledger": ledger_dir, "funnel": counts,
        "outputs": outputs,
        "reshard": {**report["changes"], "capped": capped, "missing": len(missing)},
        "timings": {"seconds": round(time.time() - started, 3), "decide_seconds": round(decided, 3)},
    }
    write_manifest(FileSystems.join(args.output, "manifest.json"), {**manifest, "ledger": "ledger"})
    write_manifest(FileSystems.join(args.output, "reshard.json"), report)
    mark_complete(args.output)
    if not args.quiet:
        print(format_funnel(counts))
        print(_format_changes(report))
        print(f"ledger: {ledger_dir}  ({counts['input']:,} rows, {manifest['timings']['seconds']:.1f}s)")
    return manifest


main = main_for(run, "ykcurate reshard", (UsageError,), (PipelineFailed,))


if __name__ == "__main__":
    sys.exit(main())
