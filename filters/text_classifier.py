"""Train the optional fastText title classifier used by ``TextSafetyFilter``.

Chinese has no spaces, so titles are tokenised into single characters (Latin/Cyrillic/Greek words and digit runs
stay whole) by ``tokenize_for_fasttext``, both for training here and for prediction in the filter; fastText's
``wordNgrams`` then adds character bigrams. Input is either CSV with a ``title,label`` header or fastText lines
``__label__X text``.
"""
from __future__ import annotations

import csv
import logging
import os
import random
import re
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

LABEL_PREFIX = "__label__"
_TOKEN_RE = re.compile(r"[0-9a-z\u00c0-\u024f\u0370-\u03ff\u0400-\u04ff]+|[^\W_]")


def tokenize_for_fasttext(text: str | None) -> str:
    """``"Python教程 第2集"`` -> ``"python 教 程 第 2 集"``; punctuation, symbols and newlines are dropped."""
    if not text:
        return ""
    return " ".join(_TOKEN_RE.findall(unicodedata.normalize("NFKC", text).lower()))


def _clean_label(label: str) -> str:
    label = label.strip()
    if label.startswith(LABEL_PREFIX):
        label = label[len(LABEL_PREFIX):]
    return re.sub(r"\s+", "_", label)


def read_labelled(path: str | Path) -> list[tuple[str, list[str]]]:
    """(tokenised text, labels) per example from a ``title,label`` CSV or a fastText-format file."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"labelled file not found: {path}")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    first = next((line for line in lines if line.strip()), None)
    if first is None:
        raise ValueError(f"labelled file is empty: {path}")
    examples: list[tuple[str, list[str]]] = []
    if first.lstrip().startswith(LABEL_PREFIX):
        for lineno, line in enumerate(lines, 1):
            if not line.strip():
                continue
            words = line.split()
            labels = [_clean_label(w) for w in words if w.startswith(LABEL_PREFIX)]
            text = " ".join(w for w in words if not w.startswith(LABEL_PREFIX))
            if not labels:
                raise ValueError(f"{path}:{lineno}: fastText line without a {LABEL_PREFIX} label")
            examples.append((tokenize_for_fasttext(text), labels))
    else:
        reader = csv.reader(lines)
        header = [h.strip().lower() for h in next(reader)]
        if "title" not in header or "label" not in header:
            raise ValueError(f"{path}: no labels found: expected a CSV header with columns title,label "
                             f"or fastText lines '{LABEL_PREFIX}X text' (got header {header[:5]})")
        ti, li = header.index("title"), header.index("label")
        for lineno, row in enumerate(reader, 2):
            if not any(cell.strip() for cell in row):
                continue
            label = _clean_label(row[li]) if li < len(row) else ""
            if not label:
                raise ValueError(f"{path}: CSV row {lineno} has no label")
            examples.append((tokenize_for_fasttext(row[ti] if ti < len(row) else ""), [label]))
    examples = [(text, labels) for text, labels in examples if text]
    if not examples:
        raise ValueError(f"{path}: no labelled examples with a non-empty title")
    if len({label for _, labels in examples for label in labels}) < 2:
        raise ValueError(f"{path}: need at least two distinct labels to train a classifier")
    return examples


def _write(examples: list[tuple[str, list[str]]], path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for text, labels in examples:
            fh.write(" ".join(LABEL_PREFIX + label for label in labels) + " " + text + "\n")


def train_text_classifier(input_path: str | Path, output_path: str | Path, *, epoch: int = 25, lr: float = 0.5,
                          word_ngrams: int = 2, quantize: bool = True, dim: int = 50, bucket: int = 200_000,
                          valid_fraction: float = 0.1, min_quantize_examples: int = 1000,
                          threads: int | None = None, seed: int = 0) -> dict[str, Any]:
    """Train a supervised fastText model on ``input_path`` and save it to ``output_path``.

    10% (``valid_fraction``) is held out for accuracy when there are at least 20 examples; the saved model is the
    one trained on the rest. ``threads`` is raised to at least 10 (see below), so training is not bit-for-bit
    reproducible. Quantisation (``retrain=True``) only runs with ``min_quantize_examples`` training
    examples or more; if it fails the unquantised model is kept and ``note`` says why.
    """
    import fasttext  # local import: only training and the filter need it

    if dim <= 0 or dim % 10:
        raise ValueError(f"dim must be a positive multiple of 10 (fastText initialises in 10 blocks), got {dim}")
    examples = read_labelled(input_path)
    random.Random(seed).shuffle(examples)
    n_valid = int(len(examples) * valid_fraction) if len(examples) >= 20 and valid_fraction > 0 else 0
    valid, train = examples[:n_valid], examples[n_valid:]
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    note = None
    quantized = False
    with tempfile.TemporaryDirectory() as tmp:
        train_file = Path(tmp) / "train.txt"
        _write(train, train_file)
        # fastText's DenseMatrix::uniform initialises the input matrix in 10 blocks, one per thread: with fewer
        # than 10 threads the rest keeps whatever the allocator left (zeros or garbage -> "Encountered NaN").
        params: dict[str, Any] = dict(input=str(train_file), epoch=epoch, lr=lr, wordNgrams=word_ngrams, dim=dim,
                                      bucket=bucket, minCount=1, loss="softmax", seed=seed, verbose=0,
                                      thread=max(threads or os.cpu_count() or 1, 10))
        try:
            model = fasttext.train_supervised(**params)
        except RuntimeError as exc:  # "Encountered NaN": training diverged
            raise ValueError(f"fastText training failed ({exc}); try a lower lr") from exc
        model.save_model(str(output_path))
        if not quantize:
            note = "quantisation disabled"
        elif len(train) < min_quantize_examples:
            note = f"not quantised: {len(train)} training examples < min_quantize_examples={min_quantize_examples}"
        else:
            try:
                model.quantize(input=str(train_file), retrain=True, qnorm=True,
                               cutoff=100_000 if bucket > 100_000 else 0)
                model.save_model(str(output_path))
                quantized = True
            except Exception as exc:  # fastText raises ValueError/RuntimeError on too little data
                note = f"quantisation failed ({exc}); saved the unquantised model"
                model = fasttext.load_model(str(output_path))
        if note:
            log.warning("%s: %s", output_path, note)
    accuracy = None
    if valid:
        predicted, _ = model.predict([text for text, _ in valid], k=1)
        hits = sum(1 for (_, gold), pred in zip(valid, predicted) if pred and _clean_label(pred[0]) in gold)
        accuracy = hits / len(valid)
    return {
        "output_path": str(output_path),
        "n_train": len(train),
        "n_valid": len(valid),
        "labels": sorted(_clean_label(label) for label in model.labels),
        "accuracy": accuracy,
        "quantized": quantized,
        "note": note,
    }
