"""Category agreement: check each record's 45-class label against two opinions and verify, relabel or reject it.

Opinions (each a probability distribution over ``schemas.taxonomy.NAMES``):
- CLIP zero-shot: the record's ``frame_embeddings`` ((N, D) unit vectors from the media phase) are averaged and
  re-normalised, compared with one prompt per category (``prompt_template``, default "一个关于{name}的视频", embedded
  once with ``encoder.embed_texts`` and cached), softmax of the similarities times ``logit_scale`` (100).
- fastText title classifier (``classifier_path``, trained by ``train_category_classifier``): labels are Chinese
  category names; labels outside the taxonomy are ignored. It abstains on an empty title, and on a record whose
  given label it was not trained on (it cannot judge a class it does not know).

Rules, with L the given label (``category``, canonicalised), top1/topk of each opinion, and p(x) its probability:
- Two opinions (CLIP and text):
  verified   L is top1 of either opinion, or L is in the top_k of both with p(L) >= min_agreement in both;
  relabelled otherwise, when both top1 are the same class X != L with p(X) >= min_confidence in each: category_new=X;
  review     otherwise (rejected, stage "category").
- One opinion (no text classifier configured, or it abstains; or no frames but a text opinion) - stricter:
  verified   L is its top1, or L is in its top_k with p(L) >= min_agreement;
  relabelled its top1 X != L with p(X) >= single_min_confidence (0.8 rather than 0.5): one model alone must be far
             surer before it overrides a label that the platform's classifier and annotators gave;
  review     otherwise.
- unlabelled (no category): kept; the class both opinions agree on with p >= min_confidence (one opinion alone:
  p >= single_min_confidence) is recorded as a suggestion in ``category_new``, else ``category_new`` stays null.
- No opinion at all (no frames and no usable text opinion): every column null, kept (the stage did not run).
``decide`` rejects only ``review``; the probabilities are in the ledger, so the rules can be re-applied later.
"""
from __future__ import annotations

import csv
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np
import pyarrow as pa

from filters.base import reads_prompts
from schemas.config import CategoryConfig

from filters.text_classifier import LABEL_PREFIX, tokenize_for_fasttext, train_text_classifier
from schemas.taxonomy import NAMES, canonical_category
from filters.remote_files import local_copy

_INDEX = {name: i for i, name in enumerate(NAMES)}


def _label_name(label: str) -> str | None:
    label = label[len(LABEL_PREFIX):] if label.startswith(LABEL_PREFIX) else label
    return canonical_category(label) or canonical_category(label.replace("_", " "))


def _f32(x: float | None) -> float | None:
    return None if x is None else float(np.float32(x))


def category_outcome(label: str | None, clip: np.ndarray | None, text: np.ndarray | None,
                     config: CategoryConfig) -> tuple[str | None, str | None]:
    """(outcome, category_new) by the rules in the module docstring; distributions are over ``NAMES``."""
    opinions = [o for o in (clip, text) if o is not None]
    if not opinions:
        return None, None
    tops = [int(np.argmax(o)) for o in opinions]
    agreed = tops[0] if len(set(tops)) == 1 else None
    need = config.min_confidence if len(opinions) == 2 else config.single_min_confidence
    confident = agreed is not None and all(o[agreed] >= need for o in opinions)
    if label is None:
        return "unlabelled", NAMES[agreed] if confident else None
    li = _INDEX[label]
    in_top_k = all(li in np.argsort(-o, kind="stable")[:config.top_k] and o[li] >= config.min_agreement
                   for o in opinions)
    if li in tops or in_top_k:
        return "verified", None
    if confident:
        return "relabelled", NAMES[agreed]
    return "review", None


class CategoryCheckFilter:
    """``encoder`` offers ``embed_texts(list[str]) -> (M, D)``; either it or ``classifier_path`` is required."""

    stage = "category"
    columns: tuple[tuple[str, pa.DataType], ...] = (
        ("category_outcome", pa.string()),   # verified | relabelled | review | unlabelled
        ("category_clip_top", pa.string()),
        ("category_clip_prob", pa.float32()),
        ("category_text_top", pa.string()),
        ("category_text_prob", pa.float32()),
        ("category_new", pa.string()),       # relabelled: the new class; unlabelled: the suggestion
        ("category_label_clip_prob", pa.float32()),
    )

    def __init__(self, config: CategoryConfig | None = None, encoder: Any = None) -> None:
        self.config = config = config or CategoryConfig()
        self.encoder = encoder
        self._prompts: np.ndarray | None = None
        self._model = None
        self._model_names: list[str | None] = []
        self.text_classes: frozenset[str] = frozenset()
        if config.top_k < 1:
            raise ValueError(f"category.top_k must be >= 1, got {config.top_k}")
        if config.classifier_path:
            self._load_classifier(config.classifier_path)
        if encoder is None and self._model is None:
            raise ValueError("category needs a text encoder (CLIP prompts) or a classifier_path")
        prompts = [config.prompt_template.format(name=name) for name in NAMES]
        if encoder is not None and not reads_prompts(encoder, prompts):
            self.encoder = None  # the model cannot read category names: no CLIP opinion (text classifier only)

    def _load_classifier(self, path: str) -> None:
        import fasttext
        path = local_copy(path)
        if not Path(path).is_file():
            raise ValueError(f"category.classifier_path not found: {path}")
        self._model = fasttext.load_model(str(path))
        self._model_names = [_label_name(label) for label in self._model.labels]
        if not any(self._model_names):
            raise ValueError(f"category classifier {path}: none of its labels is a taxonomy category "
                             f"({list(self._model.labels)[:5]})")
        self.text_classes = frozenset(n for n in self._model_names if n)

    @property
    def prompt_embeddings(self) -> np.ndarray | None:
        """(45, D) unit vectors, one per category in ``NAMES`` order; embedded on first use, then cached."""
        if self._prompts is None and self.encoder is not None:
            texts = [self.config.prompt_template.format(name=name) for name in NAMES]
            emb = np.asarray(self.encoder.embed_texts(texts), np.float32)
            if emb.ndim != 2 or len(emb) != len(texts):
                raise ValueError(f"encoder.embed_texts returned shape {emb.shape} for {len(texts)} prompts")
            self._prompts = emb / np.maximum(np.linalg.norm(emb, axis=1, keepdims=True), 1e-12)
        return self._prompts

    def clip_probs(self, frames: Any) -> np.ndarray | None:
        """Distribution over the 45 classes from one video's frame embeddings; None without frames or encoder."""
        if frames is None or self.encoder is None:
            return None
        frames = np.asarray(frames, np.float32)
        if frames.size == 0:
            return None
        video = frames.reshape(-1, frames.shape[-1]).mean(0)
        video /= max(float(np.linalg.norm(video)), 1e-12)
        prompts = self.prompt_embeddings
        if video.shape[0] != prompts.shape[1]:
            raise ValueError(f"frame embeddings have dim {video.shape[0]}, prompts {prompts.shape[1]}")
        z = (prompts @ video).astype(np.float64) * self.config.logit_scale
        e = np.exp(z - z.max())
        return e / e.sum()

    def text_probs(self, titles: list[str | None]) -> list[np.ndarray | None]:
        """Distribution over the 45 classes per title (one fastText call); None per title without an opinion."""
        out: list[np.ndarray | None] = [None] * len(titles)
        if self._model is None:
            return out
        texts = [tokenize_for_fasttext(t) for t in titles]
        todo = [i for i, text in enumerate(texts) if text]
        if not todo:
            return out
        labels, probs = self._model.predict([texts[i] for i in todo], k=-1)
        for i, labs, ps in zip(todo, labels, probs):
            dist = np.zeros(len(NAMES))
            for lab, p in zip(labs, ps):
                name = _label_name(lab)
                if name:
                    dist[_INDEX[name]] += min(float(p), 1.0)
            out[i] = dist
        return out

    def score_batch(self, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        records = list(records)
        texts = self.text_probs([r.get("title") for r in records])
        out = []
        for record, text in zip(records, texts):
            raw = record.get("category")
            label = canonical_category(raw) if raw not in (None, "") else None
            if label is not None and text is not None and label not in self.text_classes:
                text = None  # the classifier never saw this class: it abstains
            clip = self.clip_probs(record.get("frame_embeddings"))
            row: dict[str, Any] = {name: None for name, _ in self.columns}
            if clip is None and text is None:
                out.append(row)
                continue
            if clip is not None:
                top = int(np.argmax(clip))
                row.update(category_clip_top=NAMES[top], category_clip_prob=_f32(clip[top]))
                if label is not None:
                    row["category_label_clip_prob"] = _f32(clip[_INDEX[label]])
            if text is not None:
                top = int(np.argmax(text))
                row.update(category_text_top=NAMES[top], category_text_prob=_f32(text[top]))
            row["category_outcome"], row["category_new"] = category_outcome(label, clip, text, self.config)
            out.append(row)
        return out

    def score(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return self.score_batch([record])[0]

    @classmethod
    def decider(cls, config: CategoryConfig) -> "CategoryCheckFilter":
        """An instance that only decides from stored scores (reshard): no encoder, head or classifier loaded."""
        self = cls.__new__(cls)
        self.config = config
        return self

    def decide(self, scores: Mapping[str, Any]) -> str | None:
        if scores.get("category_outcome") != "review":
            return None
        parts = []
        for who, key in (("CLIP", "clip"), ("text", "text")):
            top, prob = scores.get(f"category_{key}_top"), scores.get(f"category_{key}_prob")
            if top is not None:
                parts.append(f'{who} top "{top}" p={prob:.2f}')
        label_p = scores.get("category_label_clip_prob")
        if label_p is not None:
            parts.append(f"CLIP p(label)={label_p:.2f}")
        return "label not confirmed and no confident agreed class: " + ", ".join(parts)


def read_category_csv(path: str | Path) -> list[tuple[str, str]]:
    """(title, Chinese category name) rows of a ``video_id:FILE,title,label`` or ``title,label`` CSV."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"category CSV not found: {path}")
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        header = [h.strip().lower() for h in next(reader, [])]
        if "title" not in header or "label" not in header:
            raise ValueError(f"{path}: expected a CSV header with columns title,label (got {header[:5]})")
        ti, li = header.index("title"), header.index("label")
        rows = []
        for lineno, row in enumerate(reader, 2):
            if not any(cell.strip() for cell in row):
                continue
            value = row[li].strip() if li < len(row) else ""
            name = canonical_category(value)
            if name is None:
                raise ValueError(f"{path}: row {lineno}: label {value[:40]!r} is not one of the 45 categories")
            rows.append((row[ti] if ti < len(row) else "", name))
    return rows


def train_category_classifier(csv_path: str | Path, output_path: str | Path, **kwargs: Any) -> dict[str, Any]:
    """Train the fastText title classifier on a Youku-mPLUG classification CSV; labels are canonicalised to the
    Chinese names (ids and English names are accepted). ``kwargs`` go to ``train_text_classifier``."""
    rows = read_category_csv(csv_path)
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "title_label.csv"
        with staged.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["title", "label"])
            writer.writerows(rows)
        report = train_text_classifier(staged, output_path, **kwargs)
    report["label_counts"] = dict(sorted(Counter(label for _, label in rows).items(), key=lambda kv: -kv[1]))
    return report
