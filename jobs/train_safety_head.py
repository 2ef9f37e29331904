"""``ykcurate train-safety-head``: train the visual safety head (logistic regression on CLIP video embeddings).

Input: an ``.npz`` with arrays ``embeddings`` (n, D) (per-video mean frame embeddings from the same CLIP model the
pipeline uses) and ``labels`` (n,) 1 = unsafe, 0 = safe; optionally ``model_fingerprint`` (a string). Point
``visual_safety.head_path`` at the output; its probability is recorded as ``visual_unsafe_head`` and decides.
"""
from __future__ import annotations

import json
import sys
import zipfile

import numpy as np

from filters.visual_safety import train_safety_head
from jobs import main_for
from jobs import parsers


def run(argv: list[str] | None = None) -> dict:
    p = parsers.train_safety_head()
    args = p.parse_args(argv)
    try:
        with np.load(args.embeddings, allow_pickle=False) as data:
            missing = [k for k in ("embeddings", "labels") if k not in data]
            if missing:
                raise ValueError(f"{args.embeddings}: missing array(s) {', '.join(missing)} "
                                 f"(has {', '.join(data.files) or 'none'})")
            embeddings, labels = data["embeddings"], data["labels"]
            fingerprint = str(data["model_fingerprint"]) if "model_fingerprint" in data else None
    except (zipfile.BadZipFile, EOFError) as exc:
        raise ValueError(f"{args.embeddings}: not a readable .npz file ({exc})") from exc
    report = train_safety_head(embeddings, labels, args.output, l2=args.l2, balanced=not args.no_balance,
                               model_fingerprint=fingerprint)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return report


main = main_for(run, "ykcurate train-safety-head", (ValueError, OSError))


if __name__ == "__main__":
    sys.exit(main())
