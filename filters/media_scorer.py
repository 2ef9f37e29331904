"""The media stages of one chunk of kept records, in plain Python: decode (probe + frames), probed duration,
quality (with on-screen text), then the frames and title embedded once by the run's CLIP model, and every score that
reuses those embeddings: ``clip_score``, ``visual_safety`` (the NSFW classifier on the frames, zero-shot prompts, an
optional trained head), ``category`` (zero-shot CLIP and an optional fastText title classifier), and the frames'
perceptual hashes for ``visual_dup``. Embeddings and hashes (``.npz`` per chunk) and thumbnails (a zip of small JPEGs
per chunk) are written content-addressed beside the ledger, so re-scoring needs no decode.

Used by the Beam ParDo in ``transforms.media`` and by reshard's replay (``pipeline.reshard_graph``).
"""
from __future__ import annotations

import hashlib
import io
import posixpath
import zipfile

import numpy as np

from filters.category_check import CategoryCheckFilter
from filters.clip_score import clip_scores
from filters.media_chain import MediaChain
from filters.remote_files import join, parent, write_bytes
from filters.perceptual_hash import frame_hashes
from filters.visual_dup import mean_embedding
from filters.visual_safety import VisualSafetyFilter
from schemas.config import Config
from schemas.records import MediaItem, MediaOutcome, VisualItem



def load_encoder(config: Config):
    from models.clip_model import TINY_CLIP_DIR, load_clip  # torch is imported only where embedding happens

    return load_clip(config.clip.model or TINY_CLIP_DIR, device=config.clip.device, precision=config.clip.precision)


def load_nsfw(config: Config):
    """The NSFW classifier on the CLIP model's device and precision, or None when ``visual_safety.nsfw`` is off."""
    if not config.visual_safety.nsfw:
        return None
    from models.nsfw_classifier import NSFW_DIR, NsfwClassifier

    return NsfwClassifier(config.visual_safety.nsfw_weights or NSFW_DIR / "weights.npz", device=config.clip.device,
                          precision=config.clip.precision)


def write_thumbnails(directory: str, unit: int, thumbs: list[tuple[int, np.ndarray]]) -> str:
    """The middle sampled frame of each decoded video as a small JPEG, one zip per chunk (fixed timestamps, so
    reruns write the same bytes); audits show them without decoding anything again."""
    from PIL import Image

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for record_id, frames in thumbs:
            image = Image.fromarray(frames[len(frames) // 2])
            image.thumbnail((160, 160))
            jpeg = io.BytesIO()
            image.save(jpeg, format="JPEG", quality=80)
            archive.writestr(zipfile.ZipInfo(f"{record_id}.jpg", date_time=(1980, 1, 1, 0, 0, 0)), jpeg.getvalue())
    blob = buffer.getvalue()
    path = join(directory, f"{unit:06d}-{hashlib.blake2b(blob, digest_size=10).hexdigest()}.zip")
    write_bytes(path, blob)
    return path


def write_embeddings(directory: str, unit: int, record_ids: list[int], frames: list[np.ndarray],
                     titles: np.ndarray, hashes: list[np.ndarray]) -> str:
    """One chunk's float16 frame and title embeddings and uint64 frame hashes (aligned with the frames)."""
    buffer = io.BytesIO()
    np.savez(buffer, record_id=np.array(record_ids, dtype=np.int64),
             frame_offsets=np.cumsum([0] + [len(f) for f in frames]).astype(np.int64),
             frame_embeddings=np.concatenate(frames).astype(np.float16), title_embeddings=titles.astype(np.float16),
             frame_hashes=np.concatenate(hashes).astype(np.uint64))
    blob = buffer.getvalue()
    path = join(directory, f"{unit:06d}-{hashlib.blake2b(blob, digest_size=10).hexdigest()}.npz")
    write_bytes(path, blob)
    return path


def _stored(embeddings: np.ndarray) -> np.ndarray:
    return np.asarray(embeddings).astype(np.float16).astype(np.float32)


def run_relative(path: str) -> str:
    """``embeddings/NAME`` or ``thumbnails/NAME``: the ledger never holds the run folder's own location, so two
    identical runs into different folders write identical ledgers and shards."""
    return posixpath.join(*path.replace("\\", "/").rstrip("/").split("/")[-2:])


class MediaScorer:
    """The media stages for chunks of media items, outside Beam: ``transforms.media`` runs one per worker, and
    ``reshard --compute-missing`` one per worker for the records a looser threshold admits."""

    def __init__(self, config: Config, embeddings_dir: str) -> None:
        self.config = config
        self.embeddings_dir = embeddings_dir
        self.thumbnails_dir = join(parent(embeddings_dir), "thumbnails")
        self.chain = MediaChain(config)
        self.encoder = None
        self.nsfw = None
        self.scorers: tuple = ()

    def process(self, unit: int, items: list[MediaItem]) -> tuple[list[tuple[int, MediaOutcome]], list[float],
                                                                  list[tuple]]:
        """(record_id, ledger updates) per item, the clip scores, and the ``VisualItem`` of each video that may
        stand for a visual cluster."""
        outcomes, passed, thumbs = [], [], []
        pending_by_record: dict[int, tuple] = {}
        for item in items:
            updates, frames = self.chain.process(item)
            outcomes.append((item.record_id, updates))
            if frames is not None:
                thumbs.append((item.record_id, updates, frames))
            if "status" not in updates:
                passed.append((item, updates, frames))
        if thumbs:
            path = write_thumbnails(self.thumbnails_dir, unit, [(rid, frames) for rid, _, frames in thumbs])
            for _, updates, _ in thumbs:
                updates["thumbnail_file"] = run_relative(path)
        scores, visual = [], []
        if passed:
            if self.encoder is None:
                self.encoder = load_encoder(self.config)
                self.nsfw = load_nsfw(self.config)
                self.scorers = (VisualSafetyFilter(self.config.visual_safety, self.encoder),
                                CategoryCheckFilter(self.config.category, self.encoder))
            batch = self.config.clip.batch_size
            # Rounded to the float16 that is stored: scores then do not depend on the worker's thread count (the
            # last float32 bits of a matmul do) and reshard re-scores from exactly what the run scored.
            frame_embs = [_stored(self.encoder.embed_images(frames, batch)) for _, _, frames in passed]
            title_embs = _stored(self.encoder.embed_texts([item.title for item, _, _ in passed], batch))
            hashes = [frame_hashes(frames) for _, _, frames in passed]
            nsfw = self._nsfw_probabilities([frames for _, _, frames in passed])
            path = write_embeddings(self.embeddings_dir, unit, [item.record_id for item, _, _ in passed], frame_embs,
                                    title_embs, hashes)
            for (item, updates, _), frames_emb, title_emb, frame_hash, probs in zip(passed, frame_embs, title_embs,
                                                                                   hashes, nsfw):
                updates.update(clip_scores(frames_emb, title_emb), embedding_file=run_relative(path))
                scores.append(updates["clip_score_mean"])
                record = {"frame_embeddings": frames_emb, "title": item.title, "category": item.category,
                          "nsfw_probabilities": probs}
                pending = []
                for scorer in self.scorers:  # decided later, in stage order, after the run-wide clip threshold
                    stage_scores = scorer.score(record)
                    updates.update(stage_scores)
                    reason = scorer.decide(stage_scores)
                    if reason:
                        pending.append((scorer.stage, reason))
                pending_by_record[item.record_id] = tuple(pending)
                if not pending:  # only videos no embedding scorer rejected can stand for a visual cluster
                    visual.append(VisualItem(item.record_id, item.video_id, mean_embedding(frames_emb),
                                             updates["duration"], frame_hash))
        results = [(rid, MediaOutcome(updates, pending_by_record.get(rid, ()))) for rid, updates in outcomes]
        return results, scores, visual

    def _nsfw_probabilities(self, frames: list[np.ndarray]) -> list[np.ndarray | None]:
        """Per video, (frames, 5) NSFW class probabilities: every video's frames in one batched pass."""
        if self.nsfw is None:
            return [None] * len(frames)
        return self.nsfw.probabilities_many(frames, self.config.visual_safety.nsfw_batch_size)
