"""Visual safety from the CLIP frame embeddings of the media phase: zero-shot prompts plus an optional linear head.

Input per record: ``frame_embeddings``, (N, D) float32 L2-normalised CLIP embeddings of the sampled frames (a (D,)
vector is one frame). Zero-shot: the unsafe and safe prompts are embedded once with ``encoder.embed_texts`` (cached);
per prompt the best-matching frame counts (max over frames of the cosine similarity), softmax of those maxima times
``logit_scale`` (100) over all prompts, score = the mass on the unsafe prompts; ``visual_unsafe_term`` names the most
likely unsafe prompt (recorded for every scored video). Head (``head_path``): logistic regression on the
re-normalised mean frame embedding, trained by ``train_safety_head`` (``.npz``); when configured its probability is
what ``decide`` compares, and the zero-shot score is still recorded.

NSFW classifier (``nsfw``): the media scorer runs ``models.nsfw_classifier`` on every sampled frame and hands the
(N, 5) probabilities over as ``nsfw_probabilities``; this filter only reduces them (numpy, no model here): per class
the mean and max over frames, and ``visual_unsafe_nsfw``, the ``nsfw_min_frames``-th highest per-frame
porn + hentai + ``nsfw_sexy_weight`` * sexy (see ``VisualSafetyConfig`` for why).

``decide`` reads only the ledger columns: first the NSFW score against ``nsfw_threshold``, then the head probability
when present, else the zero-shot score, against ``threshold``; rejected when strictly above. The CLIP signals name
what the classifier does not cover (violence, drugs, gambling). A record without frame embeddings gets null scores
and is kept (the stage did not run). ``nsfw_sexy_weight`` and ``nsfw_min_frames`` shape the stored score: reshard
replays ``nsfw_threshold``, not those two.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pyarrow as pa

from filters.base import reads_prompts
from schemas.config import VisualSafetyConfig
from filters.remote_files import local_copy

HEAD_FORMAT = "ykcurate-visual-safety-head/1"
NSFW_CLASSES: tuple[str, ...] = ("drawing", "hentai", "neutral", "porn", "sexy")  # models.nsfw_classifier.CLASSES
NSFW_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("visual_unsafe_nsfw", pa.float32()),
    *((f"visual_nsfw_{name}_{stat}", pa.float32()) for name in NSFW_CLASSES for stat in ("mean", "max")),
)


def nsfw_scores(probs: np.ndarray, config: VisualSafetyConfig) -> dict[str, float]:
    """Ledger columns from (N, 5) per-frame class probabilities."""
    probs = np.asarray(probs, np.float64).reshape(-1, len(NSFW_CLASSES))
    index = {name: i for i, name in enumerate(NSFW_CLASSES)}
    unsafe = probs[:, index["porn"]] + probs[:, index["hentai"]] + config.nsfw_sexy_weight * probs[:, index["sexy"]]
    kth = np.sort(unsafe)[::-1][min(config.nsfw_min_frames, len(unsafe)) - 1]
    scores = {"visual_unsafe_nsfw": float(np.float32(min(kth, 1.0)))}
    for name, i in index.items():
        scores[f"visual_nsfw_{name}_mean"] = float(np.float32(probs[:, i].mean()))
        scores[f"visual_nsfw_{name}_max"] = float(np.float32(probs[:, i].max()))
    return scores


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, np.float32)
    return x / np.maximum(np.linalg.norm(x, axis=-1, keepdims=True), 1e-12)


def video_embedding(frames: np.ndarray) -> np.ndarray:
    """Mean of the frame embeddings, re-normalised: the per-video vector the head is trained and applied on."""
    frames = np.asarray(frames, np.float32)
    return _unit(frames.reshape(-1, frames.shape[-1]).mean(0))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def load_safety_head(path: str | Path) -> tuple[np.ndarray, float, dict]:
    """(weight (D,), bias, metadata) from a head written by ``train_safety_head``."""
    path = Path(local_copy(path))
    if not path.is_file():
        raise ValueError(f"visual_safety.head_path not found: {path}")
    with np.load(path, allow_pickle=False) as data:
        if "weight" not in data or "bias" not in data:
            raise ValueError(f"{path}: not a visual safety head (needs arrays weight and bias)")
        meta = json.loads(str(data["metadata"])) if "metadata" in data else {}
        return data["weight"].astype(np.float32).ravel(), float(data["bias"]), meta


class VisualSafetyFilter:
    """Scores videos unsafe from frame embeddings; ``encoder`` offers ``embed_texts(list[str]) -> (M, D)``."""

    stage = "visual_safety"
    columns: tuple[tuple[str, pa.DataType], ...] = (
        ("visual_unsafe_zeroshot", pa.float32()),
        ("visual_unsafe_head", pa.float32()),
        ("visual_unsafe_term", pa.string()),
        *NSFW_COLUMNS,
    )

    def __init__(self, config: VisualSafetyConfig | None = None, encoder: Any = None) -> None:
        self.config = config = config or VisualSafetyConfig()
        self.encoder = encoder
        self._prompts: np.ndarray | None = None
        self.head: tuple[np.ndarray, float, dict] | None = None
        if config.head_path:
            self.head = load_safety_head(config.head_path)
        if encoder is not None and not config.unsafe_prompts:
            raise ValueError("visual_safety.unsafe_prompts is empty")
        if encoder is None and self.head is None and not config.nsfw:
            raise ValueError("visual_safety needs the NSFW classifier, a text encoder (zero-shot prompts) or a "
                             "head_path")
        if encoder is not None and not reads_prompts(encoder, [*config.unsafe_prompts, *config.safe_prompts]):
            self.encoder = None  # the model cannot read the prompts: zero-shot scores stay null

    @property
    def prompt_embeddings(self) -> np.ndarray | None:
        """(len(unsafe) + len(safe), D) unit vectors, unsafe first; embedded on first use, then cached."""
        if self._prompts is None and self.encoder is not None:
            texts = list(self.config.unsafe_prompts) + list(self.config.safe_prompts)
            emb = np.asarray(self.encoder.embed_texts(texts), np.float32)
            if emb.ndim != 2 or len(emb) != len(texts):
                raise ValueError(f"encoder.embed_texts returned shape {emb.shape} for {len(texts)} prompts")
            self._prompts = _unit(emb)
        return self._prompts

    def _zero_shot(self, frames: np.ndarray) -> tuple[float, str]:
        prompts = self.prompt_embeddings
        if frames.shape[-1] != prompts.shape[-1]:
            raise ValueError(f"frame embeddings have dim {frames.shape[-1]}, prompts {prompts.shape[-1]}")
        best = (frames @ prompts.T).max(axis=0)  # best-matching frame per prompt
        probs = _softmax(best.astype(np.float64) * self.config.logit_scale)
        n_unsafe = len(self.config.unsafe_prompts)
        top = int(np.argmax(probs[:n_unsafe]))
        return float(probs[:n_unsafe].sum()), self.config.unsafe_prompts[top]

    def _head_prob(self, frames: np.ndarray) -> float:
        weight, bias, _ = self.head
        x = video_embedding(frames)
        if x.shape[-1] != weight.shape[0]:
            raise ValueError(f"frame embeddings have dim {x.shape[-1]}, safety head expects {weight.shape[0]}")
        return float(1.0 / (1.0 + np.exp(-(float(x @ weight) + bias))))

    def score(self, record: Mapping[str, Any]) -> dict[str, Any]:
        scores: dict[str, Any] = dict.fromkeys(name for name, _ in self.columns)
        probs = record.get("nsfw_probabilities")
        if probs is not None and len(probs):
            scores.update(nsfw_scores(probs, self.config))
        frames = record.get("frame_embeddings")
        if frames is None:
            return scores
        frames = np.asarray(frames, np.float32)
        if frames.size == 0:
            return scores
        frames = frames.reshape(-1, frames.shape[-1])
        if self.encoder is not None:
            prob, term = self._zero_shot(frames)
            scores["visual_unsafe_zeroshot"] = float(np.float32(prob))
            scores["visual_unsafe_term"] = term
        if self.head is not None:
            scores["visual_unsafe_head"] = float(np.float32(self._head_prob(frames)))
        return scores

    def score_batch(self, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [self.score(record) for record in records]

    @classmethod
    def decider(cls, config: VisualSafetyConfig) -> "VisualSafetyFilter":
        """An instance that only decides from stored scores (reshard): no encoder, head or classifier loaded."""
        self = cls.__new__(cls)
        self.config = config
        return self

    def decide(self, scores: Mapping[str, Any]) -> str | None:
        nsfw = scores.get("visual_unsafe_nsfw")
        if self.config.nsfw and nsfw is not None and not np.isnan(nsfw) and nsfw > self.config.nsfw_threshold:
            top = max(("porn", "hentai", "sexy"), key=lambda name: scores.get(f"visual_nsfw_{name}_max") or 0.0)
            return (f"NSFW classifier: unsafe {nsfw:.2f} > {self.config.nsfw_threshold:.2f} on "
                    f"{self.config.nsfw_min_frames}+ frames (max {top} p={scores.get(f'visual_nsfw_{top}_max'):.2f})")
        threshold = self.config.threshold
        head, zero = scores.get("visual_unsafe_head"), scores.get("visual_unsafe_zeroshot")
        term = scores.get("visual_unsafe_term")
        like = f', closest unsafe prompt "{term}"' if term else ""
        if head is not None and not np.isnan(head):
            if head > threshold:
                zs = "" if zero is None else f", zero-shot p={zero:.2f}"
                return f"visual safety head p={head:.2f} > {threshold:.2f}{zs}{like}"
            return None
        if zero is not None and not np.isnan(zero) and zero > threshold:
            return f"visual zero-shot unsafe p={zero:.2f} > {threshold:.2f}{like}"
        return None


def _auc(scores: np.ndarray, labels: np.ndarray) -> float | None:
    """Area under the ROC curve (Mann-Whitney U from average ranks, ties count half); None without both classes."""
    n_pos = int(labels.sum())
    n_neg = len(labels) - n_pos
    if not n_pos or not n_neg:
        return None
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    ranks = (np.cumsum(counts) - (counts - 1) / 2)[inverse]  # 1-based, tied values share their mean rank
    return float((ranks[labels == 1].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def train_safety_head(embeddings: np.ndarray, labels: np.ndarray, output_path: str | Path, *, l2: float = 1e-3,
                      balanced: bool = True, valid_fraction: float = 0.1, max_iter: int = 50, seed: int = 0,
                      model_fingerprint: str | None = None) -> dict[str, Any]:
    """Fit an L2-regularised logistic regression (Newton / IRLS, deterministic) and save it as ``.npz``.

    ``embeddings`` (n, D) are per-video embeddings (rows are re-normalised to unit length, as ``video_embedding``
    does at scoring time); ``labels`` (n,) are 1 = unsafe, 0 = safe. Features are standardised for fitting and the
    scaling is folded back into the saved ``weight`` / ``bias``. ``balanced`` weights both classes equally (unsafe
    videos are rare). With >= 50 rows, ``valid_fraction`` (stratified) is held out for accuracy and AUC; the saved
    head is the one fitted on the rest.
    """
    x = _unit(np.asarray(embeddings, np.float32)).astype(np.float64)
    y = np.asarray(labels).ravel()
    if x.ndim != 2 or len(x) != len(y):
        raise ValueError(f"embeddings must be (n, D) with n labels, got {x.shape} and {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("labels must be 0 (safe) or 1 (unsafe)")
    y = y.astype(np.float64)
    if len(np.unique(y)) < 2:
        raise ValueError("need both safe (0) and unsafe (1) examples to train a head")
    rng = np.random.default_rng(seed)
    valid_idx = np.zeros(len(y), bool)
    if len(y) >= 50 and valid_fraction > 0:
        for cls in (0, 1):
            idx = rng.permutation(np.flatnonzero(y == cls))
            valid_idx[idx[:int(len(idx) * valid_fraction)]] = True
    xt, yt = x[~valid_idx], y[~valid_idx]
    mu, sd = xt.mean(0), xt.std(0) + 1e-6
    z = np.hstack([(xt - mu) / sd, np.ones((len(xt), 1))])
    sw = np.where(yt == 1, 0.5 / yt.sum(), 0.5 / (len(yt) - yt.sum())) if balanced else np.ones(len(yt))
    sw /= sw.sum()
    reg = np.r_[np.full(z.shape[1] - 1, l2), 0.0]  # no penalty on the bias
    beta = np.zeros(z.shape[1])
    for _ in range(max_iter):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -30, 30)))
        grad = z.T @ (sw * (p - yt)) + reg * beta
        hess = (z * (sw * p * (1 - p))[:, None]).T @ z + np.diag(reg) + 1e-9 * np.eye(z.shape[1])
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-6:
            break
    weight = beta[:-1] / sd
    bias = float(beta[-1] - (weight * mu).sum())

    def prob(rows: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(rows @ weight + bias, -30, 30)))

    report: dict[str, Any] = {
        "format": HEAD_FORMAT, "dim": int(x.shape[1]), "n_train": int(len(yt)), "n_valid": int(valid_idx.sum()),
        "n_unsafe": int(y.sum()), "n_safe": int(len(y) - y.sum()), "l2": l2, "balanced": balanced,
        "train_accuracy": float(((prob(xt) > 0.5) == (yt == 1)).mean()), "train_auc": _auc(prob(xt), yt),
        "valid_accuracy": None, "valid_auc": None, "model_fingerprint": model_fingerprint}
    if valid_idx.any():
        pv, yv = prob(x[valid_idx]), y[valid_idx]
        report["valid_accuracy"] = float(((pv > 0.5) == (yv == 1)).mean())
        report["valid_auc"] = _auc(pv, yv)
    output_path = Path(output_path)
    output_path.parent.mkdir(parents=True, exist_ok=True)
    with output_path.open("wb") as fh:  # a file object, so numpy does not append ".npz" to the name
        np.savez(fh, weight=weight.astype(np.float32), bias=np.float32(bias),
                 metadata=np.array(json.dumps(report, ensure_ascii=False)))
    report["output_path"] = str(output_path)
    return report
