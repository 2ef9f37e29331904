"""``ykcurate make-sample``: (re)generate the bundled demo corpus with every planted defect, and its truth file."""
from __future__ import annotations

import sys
from pathlib import Path

from bench.corpus import write_corpus
from jobs import main_for, parsers

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "bench" / "sample"


def run(argv: list[str] | None = None) -> Path:
    p = parsers.make_sample()
    args = p.parse_args(argv)
    out = Path(args.output or SAMPLE_DIR)
    out.mkdir(parents=True, exist_ok=True)
    write_corpus(str(out / "records.jsonl"), args.records, seed=args.seed, truth_path=str(out / "truth.jsonl"))
    print(f"wrote {args.records} records to {out / 'records.jsonl'} (truth: {out / 'truth.jsonl'})")
    return out


main = main_for(run, "ykcurate make-sample", (OSError,))


if __name__ == "__main__":
    sys.exit(main())
