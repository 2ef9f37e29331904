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


def fit_linear_head(features: np.ndarray, labels: np.ndarray, classes: int, l2: float = 1e-3):
    """Multinomial logistic regression (L-BFGS on standardised features): the linear probe."""
    import torch

    x = torch.tensor(features, dtype=torch.float32)
    y = torch.tensor(labels, dtype=torch.long)
    head = torch.nn.Linear(x.shape[1], classes)
    optimizer = torch.optim.LBFGS(head.parameters(), max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(head(x), y) + l2 * head.weight.pow(2).sum()
        loss.backward()
        return loss
    optimizer.step(closure)
    return head


def retrieval_ranks(scores: np.ndarray, text_video: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(video->text ranks, text->video ranks), 1-based, of a (videos, texts) score matrix (higher = better) where
    text t describes video ``text_video[t]``. A video's rank is that of its best-scored own text among the other
    videos' texts; ties count against the model (a constant scorer ranks last, not first)."""
    scores, text_video = np.asarray(scores, dtype=np.float64), np.asarray(text_video)
    videos, texts = scores.shape
    own = np.zeros_like(scores, dtype=bool)
    own[text_video, np.arange(texts)] = True
    true_t = scores[text_video, np.arange(texts)]
    t2v = (scores >= true_t[None, :]).sum(0)
    best = np.where(own, scores, -np.inf).max(1)
    v2t = ((scores >= best[:, None]) & ~own).sum(1) + 1
    return v2t[own.any(1)], t2v


def recall_at(ranks: np.ndarray, ks=(1, 5, 10)) -> dict[str, float]:
    """R@K (%) and the median rank of 1-based ranks."""
    ranks = np.asarray(ranks)
    out = {f"R@{k}": round(100.0 * float((ranks <= k).mean()), 2) for k in ks}
    out["median_rank"] = float(np.median(ranks))
    return out
