"""mPLUG-video on the Youku-mPLUG benchmark's three tasks, from its CSV files and a folder of its clips.

- classification: a linear head on the pooled video features (as the paper's downstream classifier sees the video
  encoder), fitted on the benchmark's train CSV when given, else on the clips whose title hashes to the fitting
  half (one title never on both sides); top-1/top-5 over the 45 classes.
- retrieval: a (videos x captions) score matrix, R@1/5/10 and median rank both ways. ``itc`` scores by the
  contrastive head's embeddings; ``likelihood`` by the frozen LLM's mean log-probability of the caption after the
  video's prefix (the paper's model as it is: one LLM pass per video-caption pair, so for hundreds of clips, not
  thousands).
- captioning: greedy titles against every golden caption of the clip (CIDEr, BLEU-4).

Every clip is decoded once, with the evaluation frame sampling (segment middles) and transform; a clip that is
missing or does not decode is counted under its reason and its rows are left out, never fatal.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any, Iterator

import numpy as np
import torch
from apache_beam.io.filesystems import FileSystems

from pipeline import uris
from schemas.benchmark_csv import BenchmarkFile
from schemas.taxonomy import NAMES
from training.augment import EvalTransform, frames_to_tensor
from training.metrics import caption_scores, fit_linear_head, recall_at, retrieval_ranks, topk_accuracy
from training.video_frames import FrameDecodeError, decode_frames


class ClipReader:
    """Decoded, model-ready clips of a videos folder (local or object store), in batches."""

    def __init__(self, videos: str, num_frames: int, image_size: int, batch_size: int) -> None:
        self.videos, self.num_frames, self.batch_size = videos, num_frames, batch_size
        self.transform = EvalTransform(image_size)
        self.image_size = image_size
        self.skipped: Counter = Counter()

    def _clip(self, file: str) -> torch.Tensor | None:
        try:
            with FileSystems.open(uris.join(self.videos, file)) as handle:
                data = handle.read()
        except (OSError, ValueError):  # Beam reports a missing local file as an OSError, object stores vary
            self.skipped["missing_video"] += 1
            return None
        try:
            frames = decode_frames(data, self.num_frames, short_side=self.image_size)
        except FrameDecodeError:
            self.skipped["undecodable_video"] += 1
            return None
        return self.transform(frames_to_tensor(frames))

    def batches(self, files: list[str]) -> Iterator[tuple[list[str], torch.Tensor]]:
        """(files, (B, T, 3, S, S) video) for the clips of ``files`` (unique, in order) that decode."""
        names, clips = [], []
        for file in dict.fromkeys(files):
            clip = self._clip(file)
            if clip is not None:
                names.append(file)
                clips.append(clip)
            if len(clips) == self.batch_size:
                yield names, torch.stack(clips)
                names, clips = [], []
        if clips:
            yield names, torch.stack(clips)


def _text_batches(model, texts: list[str], size: int):
    for start in range(0, len(texts), size):
        yield start, model.tokenize_titles(texts[start:start + size])


@torch.no_grad()
def features(model, reader: ClipReader, files: list[str]) -> dict[str, np.ndarray]:
    """file -> pooled video features (the linear probe's input)."""
    out = {}
    for names, video in reader.batches(files):
        out.update(zip(names, model.video_features(video.to(model.device)).float().cpu().numpy()))
    return out


def _title_half(title: str) -> bool:
    return hashlib.blake2b(title.encode("utf-8", "surrogatepass"), digest_size=2).digest()[0] % 2 == 1


def classification(model, reader: ClipReader, test: BenchmarkFile, train: BenchmarkFile | None) -> dict[str, Any]:
    """Top-1/top-5 of a linear probe, with one prediction record per scored row."""
    fit_rows = train.rows if train is not None else [r for r in test.rows if not _title_half(r.text)]
    score_rows = test.rows if train is not None else [r for r in test.rows if _title_half(r.text)]
    feats = features(model, reader, [r.file for r in fit_rows + score_rows])
    fit_rows = [r for r in fit_rows if r.file in feats]
    score_rows = [r for r in score_rows if r.file in feats]
    if not fit_rows or not score_rows:
        return {"top1": None, "top5": None, "note": "no decodable clips to fit or score the probe", "predictions": []}
    fit_x = np.stack([feats[r.file] for r in fit_rows])
    mean, std = fit_x.mean(0), fit_x.std(0) + 1e-6
    head = fit_linear_head((fit_x - mean) / std, np.array([r.label for r in fit_rows]), len(NAMES))
    with torch.no_grad():
        logits = head(torch.tensor((np.stack([feats[r.file] for r in score_rows]) - mean) / std,
                                   dtype=torch.float32)).numpy()
    labels = np.array([r.label for r in score_rows])
    result: dict[str, Any] = topk_accuracy(logits, labels, (1, 5))
    classes = sorted({r.label for r in fit_rows})
    result.update(fitted_on=len(fit_rows), scored_on=len(score_rows), classes=len(classes),
                  chance_top1=round(100.0 * max(np.mean(labels == c) for c in classes), 2),
                  fitted_on_split="train csv" if train is not None else "title half of the test csv")
    top5 = np.argsort(-logits, 1)[:, :5]
    result["predictions"] = [{"file": r.file, "title": r.text, "label": NAMES[r.label],
                              "predicted": [NAMES[i] for i in row]} for r, row in zip(score_rows, top5.tolist())]
    return result


@torch.no_grad()
def _itc_scores(model, reader: ClipReader, files: list[str], texts: list[str]) -> tuple[list[str], np.ndarray]:
    names, videos = [], []
    for batch_names, video in reader.batches(files):
        names += batch_names
        videos.append(model.embed_videos(video.to(model.device)).float().cpu())
    text_emb = torch.cat([model.embed_texts(t["input_ids"], t["attention_mask"]).float().cpu()
                          for _, t in _text_batches(model, texts, reader.batch_size)])
    return names, (torch.cat(videos) @ text_emb.t()).numpy() if videos else np.zeros((0, len(texts)))


@torch.no_grad()
def _likelihood_scores(model, reader: ClipReader, files: list[str], texts: list[str]) -> tuple[list[str], np.ndarray]:
    names, rows = [], []
    tokenised = list(_text_batches(model, texts, reader.batch_size))
    for batch_names, video in reader.batches(files):
        prefixes = model.encode_video(video.to(model.device))
        for prefix in prefixes:
            row = np.empty(len(texts))
            for start, t in tokenised:
                n = t["input_ids"].shape[0]
                row[start:start + n] = model.title_log_likelihood(prefix.expand(n, -1, -1), t["input_ids"],
                                                                  t["attention_mask"]).float().cpu().numpy()
            rows.append(row)
        names += batch_names
    return names, np.stack(rows) if rows else np.zeros((0, len(texts)))


SCORERS = {"itc": _itc_scores, "likelihood": _likelihood_scores}


def retrieval(model, reader: ClipReader, test: BenchmarkFile, scorer: str) -> dict[str, Any]:
    """R@1/5/10 and median rank, video->text and text->video, over the rows whose clip decodes."""
    if scorer == "itc" and model.contrastive is None:
        raise ValueError("--score itc needs a model trained with model.contrastive (the ITC head)")
    names, scores = SCORERS[scorer](model, reader, [r.file for r in test.rows], [r.text for r in test.rows])
    index = {name: i for i, name in enumerate(names)}
    keep = [i for i, r in enumerate(test.rows) if r.file in index]
    if not keep:
        return {"scorer": scorer, "note": "no decodable clips", "predictions": []}
    scores = scores[:, keep]
    text_video = np.array([index[test.rows[i].file] for i in keep])
    v2t, t2v = retrieval_ranks(scores, text_video)
    best = scores.argmax(0)
    return {"scorer": scorer, "videos": len(names), "captions": len(keep),
            "video_to_text": recall_at(v2t), "text_to_video": recall_at(t2v),
            "predictions": [{"file": test.rows[i].file, "caption": test.rows[i].text, "rank": int(rank),
                             "top_video": names[b]} for i, rank, b in zip(keep, t2v.tolist(), best.tolist())]}


@torch.no_grad()
def captioning(model, reader: ClipReader, test: BenchmarkFile, max_new_tokens: int) -> dict[str, Any]:
    """CIDEr and BLEU-4 of greedy titles against every golden caption of each clip."""
    refs: dict[str, list[str]] = {}
    for r in test.rows:
        refs.setdefault(r.file, []).append(r.text)
    generated: dict[str, str] = {}
    for names, video in reader.batches(list(refs)):
        generated.update(zip(names, model.generate(video.to(model.device), max_new_tokens=max_new_tokens)))
    if not generated:
        return {"note": "no decodable clips", "predictions": []}
    result: dict[str, Any] = caption_scores({k: refs[k] for k in generated}, generated)
    result["predictions"] = [{"file": k, "generated": v, "references": refs[k]} for k, v in generated.items()]
    return result
