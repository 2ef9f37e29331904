"""``ykcurate train-text-classifier``: train the optional fastText text-safety classifier from a labelled file.

Input: CSV with a header and columns ``title,label`` or fastText lines ``__label__X text``. Point
``text_safety.classifier_path`` at the output to use it; its probability is recorded as ``safety_prob``.
"""
from __future__ import annotations

import json
import sys

from filters.text_classifier import train_text_classifier
from jobs import main_for
from jobs import parsers


def run(argv: list[str] | None = None) -> dict:
    p = parsers.train_text_classifier()
    args = p.parse_args(argv)
    report = train_text_classifier(args.input, args.output, epoch=args.epoch, lr=args.lr,
                                   quantize=not args.no_quantize)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return report


main = main_for(run, "ykcurate train-text-classifier", (ValueError, OSError))


if __name__ == "__main__":
    sys.exit(main())
