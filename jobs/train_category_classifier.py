"""``ykcurate train-category-classifier``: train the fastText title classifier of the category check.

Input: a Youku-mPLUG classification CSV (header ``video_id:FILE,title,label`` or ``title,label``; labels are
Chinese category names, English names or ids of the 45-class taxonomy). Point ``category.classifier_path`` at the
output; its top class and probability are recorded as ``category_text_top`` / ``category_text_prob``.
"""
from __future__ import annotations

import json
import sys

from filters.category_check import train_category_classifier
from jobs import main_for
from jobs import parsers


def run(argv: list[str] | None = None) -> dict:
    p = parsers.train_category_classifier()
    args = p.parse_args(argv)
    report = train_category_classifier(args.input, args.output, epoch=args.epoch, lr=args.lr, dim=args.dim,
                                       quantize=not args.no_quantize)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return report


main = main_for(run, "ykcurate train-category-classifier", (ValueError, OSError))


if __name__ == "__main__":
    sys.exit(main())
