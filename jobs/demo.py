"""``ykcurate demo``: curate the bundled sample corpus and show the funnel, where the ledger is, and examples."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from jobs import curate
from jobs.make_sample import SAMPLE_DIR
from pipeline.manifest import read_ledger


def run(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="ykcurate demo")
    p.add_argument("--output", default="demo-out")
    args, beam_args = p.parse_known_args(argv)
    records = SAMPLE_DIR / "records.jsonl"
    print(f"curating the bundled sample {records} -> {args.output}/\n")
    manifest = curate.run(["--phase", "text", "--input", str(records), "--output", args.output, *beam_args])
    ledger = read_ledger(manifest["ledger"], ["status", "stage", "reason", "title_raw"]).to_pylist()
    print("\none example per stage:")
    seen = set()
    for row in ledger:
        if row["stage"] and row["stage"] not in seen:
            seen.add(row["stage"])
            title = (row["title_raw"] or "")[:30]
            print(f"  {row['stage']:<14}{row['reason'][:60]:<62}{title}")
    print(f"\nledger: {Path(manifest['ledger']).resolve()}\nmanifest: {Path(args.output).resolve() / 'manifest.json'}")
    print("query it: python -c \"import pandas as pd; print(pd.read_parquet('"
          f"{manifest['ledger']}').groupby(['status','stage'], dropna=False).size())\"")
    return manifest


def main(argv: list[str] | None = None) -> int:
    try:
        run(argv)
    except curate.UsageError as exc:
        print(f"ykcurate demo: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
