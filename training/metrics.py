"""Captioning and classification scores as the paper reports them: CIDEr and BLEU-4 by the COCO caption
evaluation code (pycocoevalcap, the implementation behind published CIDEr figures), top-1 / top-5 accuracy.

Chinese has no spaces, so captions are split into characters (letters and digit runs kept whole) before scoring;
COCO's own PTB tokenizer needs Java and English. CIDEr's IDF comes from the reference set, so it is only
meaningful over many clips (one clip scores 0 by construction).
"""
from __future__ import annotations

import re
import unicodedata
from typing import Sequence

import numpy as np

_TOKEN = re.compile(r"[A-Za-z]+|\d+|[^\sA-Za-z\d\W]|[^\s\w]", re.UNICODE)
_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def caption_tokens(text: str) -> str:
    """'红色圆形 in 3D' -> '红 色 圆 形 in 3 d'... : NFKC, lower case, punctuation dropped, Han characters one by
    one, latin words and digit runs whole; space-joined as pycocoevalcap expects."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    tokens = [t for t in _TOKEN.findall(text) if not _DROP.fullmatch(t)]
    return " ".join(tokens)


def caption_scores(references: dict[str, Sequence[str]], candidates: dict[str, str]) -> dict[str, float]:
    """CIDEr (CIDEr-D as in pycocoevalcap's Cider, x100 like papers report) and BLEU-1..4 (x100) over clips."""
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider

    keys = sorted(candidates)
    if not keys:
        raise ValueError("no candidates to score")
    missing = [k for k in keys if not references.get(k)]
    if missing:
        raise ValueError(f"no reference caption for {missing[0]!r}")
    gts = {k: [caption_tokens(r) or "<empty>" for r in references[k]] for k in keys}
    res = {k: [caption_tokens(candidates[k]) or "<empty>"] for k in keys}
    cider, _ = Cider().compute_score(gts, res)
    bleu, _ = Bleu(4).compute_score(gts, res, verbose=0)
    out = {"CIDEr": round(100.0 * float(cider), 2)}
    out.update({f"BLEU-{n}": round(100.0 * float(b), 2) for n, b in enumerate(bleu, start=1)})
    out["clips"] = len(keys)
    return out


def topk_accuracy(logits: np.ndarray, labels: np.ndarray, ks: Sequence[int] = (1, 5)) -> dict[str, float]:
    """Top-k accuracy (%) of class scores (N, C) against labels (N,); k larger than C counts every class."""
    logits, labels = np.asarray(logits), np.asarray(labels)
    if not len(labels):
        raise ValueError("no labelled clips")
    order = np.argsort(-logits, axis=1)
    out = {}
    for k in ks:
        hit = (order[:, :k] == labels[:, None]).any(axis=1)
        out[f"top{k}"] = round(100.0 * float(hit.mean()), 2)
    return out
