"""Batches of (frames, title tokens, category) streamed from the curation's WebDataset shards, deterministic and
exactly resumable whatever the number of DataLoader workers.

The stream: in training, endless epochs, each reading the shards in an order shuffled by (seed, epoch) through an
optional seeded per-epoch shuffle buffer, one epoch continuing the last as a single sample sequence; in evaluation,
one pass over the shards in the given order. That sequence of RAW samples is cut into groups of ``batch_size`` before
anything is decoded, so a group's members never depend on which videos fail. Global group i goes to DDP rank
i % world_size; a rank's j-th group (its batch j) to DataLoader worker (j - start_batch) % workers. The DataLoader
takes batches from its workers round-robin from worker 0 (in_order=True), so each rank's main process sees its
batches as j = start_batch, start_batch+1, ..., and which batches a rank sees does not depend on the worker count.

Every worker reads the whole raw stream (tar bytes, no decode) and decodes only its own groups: decoding is the
expensive part and is spread; reading everything is what makes the split deterministic. The cost: each worker of
each rank reads every shard (egress = world_size x workers x dataset per epoch: fine from local disk or a nearby
bucket), and a shuffle buffer holds raw video bytes in every worker (workers x shuffle_buffer x mean sample size).

Resume: ``start_batch=k`` (the batches this rank's loader had yielded, empty ones included) skips the first
k x world_size groups without decoding them, so what follows equals an uninterrupted run from batch k on. Skipping
reads the skipped tar bytes, except whole epochs, passed unread when ``samples_per_epoch`` is given (the row count
of shards/index.parquet) or once the first epoch has been read.

An unusable sample (``missing_video``, ``undecodable_video``, ``bad_utf8``, ``no_title``) is dropped and counted in
its batch's ``skipped``; a shard that cannot be opened or breaks off (truncated tar) counts once as ``shard_error``
in the batch being filled then. Every group yields exactly one batch, possibly empty (``keys == []``, zero rows), so
round-robin order and resume counts hold: the training loop skips empty batches but counts them, and sums
``skipped`` over batches (they come from all workers) for its report.
"""
from __future__ import annotations

import contextlib
import glob
import hashlib
import json
import os
import re
import warnings
from collections import Counter
from typing import Callable, IO, Iterator, Sequence
from urllib.parse import urlparse

import braceexpand
import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info
from webdataset.gopen import gopen
from webdataset.tariterators import group_by_keys, tar_file_expander

from schemas.taxonomy import canonical_category
from training.augment import EvalTransform, TrainTransform, frames_to_tensor
from training.video_frames import FrameDecodeError, decode_frames

_META = {"__key__", "__url__", "__local_path__", "json", "txt"}
_STREAM_SCHEMES = {"http", "https", "pipe"}  # opened by webdataset's gopen (curl / a shell command)
_GLOB = re.compile(r"[*?[]")


def expand_shards(spec: str | Sequence[str]) -> list[str]:
    """Shard URLs from brace patterns, local globs (sorted), and remote URLs, in the given order.

    ``http(s)://`` and ``pipe:`` pass through to webdataset's opener (curl, or any command that writes the tar to
    stdout, e.g. ``pipe:gsutil cat gs://b/s.tar``). ``gs://``, ``s3://`` etc. are opened with Apache Beam's
    FileSystems, the same client and credentials the curation job wrote them with (install apache-beam[gcp] /
    [aws]); globs in them are matched there too. Raises FileNotFoundError naming any pattern that matches nothing.
    """
    specs = [spec] if isinstance(spec, str) else list(spec)
    urls: list[str] = []
    for pattern in (one for item in specs for one in braceexpand.braceexpand(item)):
        scheme = _scheme(pattern)
        if scheme in _STREAM_SCHEMES:
            found = [pattern]
        elif scheme:
            found = [pattern]
            if _GLOB.search(pattern):
                from apache_beam.io.filesystems import FileSystems
                found = sorted(m.path for r in FileSystems.match([pattern]) for m in r.metadata_list)
        else:
            path = os.path.expanduser(pattern.removeprefix("file://"))
            found = sorted(glob.glob(path)) if _GLOB.search(path) else [path] if os.path.isfile(path) else []
        if not found:
            raise FileNotFoundError(f"no shards match {pattern!r} (from {spec!r})")
        urls.extend(found)
    if not urls:
        raise FileNotFoundError(f"no shards given: {spec!r}")
    return urls


def _scheme(url: str) -> str:
    if url.startswith("pipe:"):
        return "pipe"
    scheme = urlparse(url).scheme
    return "" if scheme in ("", "file") or len(scheme) == 1 else scheme  # "C:" is a drive, not a scheme


def open_shard(url: str) -> IO[bytes]:
    """A readable byte stream of one shard (see ``expand_shards`` for which client opens which URL)."""
    scheme = _scheme(url)
    if scheme in _STREAM_SCHEMES:
        return gopen(url, "rb")
    if scheme:
        from apache_beam.io.filesystems import CompressionTypes, FileSystems
        return FileSystems.open(url, compression_type=CompressionTypes.UNCOMPRESSED)
    return open(url.removeprefix("file://"), "rb")


def derive_seed(*parts: object) -> int:
    """A 63-bit seed from any parts (run seed, epoch, sample key, purpose); stable across processes and runs."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1


def _shuffled(samples: Iterator[dict], size: int, rng: np.random.Generator) -> Iterator[dict]:
    buffer: list[dict] = []
    for sample in samples:
        if len(buffer) < size:
            buffer.append(sample)
            continue
        slot = int(rng.integers(size))
        yield buffer[slot]
        buffer[slot] = sample
    for slot in rng.permutation(len(buffer)):
        yield buffer[slot]


class ShardVideoDataset(IterableDataset):
    """Yields collated batches (DataLoader ``batch_size=None``; ``make_loader`` sets it up).

    ``tokenizer``: title -> token ids; with ``eos_id`` the dataset appends eos (kept last when truncating to
    ``max_text_tokens``); it must pickle if workers are spawned rather than forked. ``categories``: class names
    (e.g. ``schemas.taxonomy.NAMES``) that the ledger's category maps to by position, the relabelled one when the
    category stage relabelled it; -1 when unknown, null or without a list. ``decode_short_side`` (default
    ``image_size``): a bigger one keeps detail for the random crop at some decode cost. ``rank``/``world_size``
    default to torch.distributed's when it is initialised.
    """

    def __init__(self, shards: str | Sequence[str], *, num_frames: int, image_size: int,
                 tokenizer: Callable[[str], list[int]], max_text_tokens: int, batch_size: int, train: bool,
                 seed: int = 0, start_batch: int = 0, pad_id: int = 0, eos_id: int | None = None,
                 categories: Sequence[str] | None = None, shuffle_buffer: int = 0, decode_short_side: int | None = None,
                 samples_per_epoch: int | None = None, rank: int | None = None, world_size: int | None = None) -> None:
        if min(num_frames, image_size, batch_size, max_text_tokens) < 1 or min(start_batch, shuffle_buffer) < 0:
            raise ValueError("need num_frames, image_size, batch_size, max_text_tokens >= 1 and start_batch >= 0")
        self.shards = expand_shards(shards)
        self.num_frames, self.image_size, self.batch_size = num_frames, image_size, batch_size
        self.tokenizer, self.max_text_tokens, self.pad_id, self.eos_id = tokenizer, max_text_tokens, pad_id, eos_id
        self.train, self.seed, self.start_batch = train, seed, start_batch
        self.shuffle_buffer = shuffle_buffer if train else 0
        self.decode_short_side = decode_short_side or image_size
        self.samples_per_epoch, self.rank, self.world_size = samples_per_epoch, rank, world_size
        self.category_index = {canonical_category(c) or c: i for i, c in enumerate(categories or ())}
        self.transform = TrainTransform(image_size) if train else EvalTransform(image_size)

    def _epoch(self, epoch: int, errors: list[str]) -> Iterator[dict]:
        def handler(exc: Exception) -> bool:
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
            return True

        def stop(exc: Exception) -> bool:  # a tar stream is unreliable after an error: count it once, next shard
            return not handler(exc)

        def files() -> Iterator[dict]:
            order = list(self.shards)
            if self.train:
                np.random.default_rng(derive_seed(self.seed, epoch, "shards")).shuffle(order)
            for url in order:
                try:
                    stream = open_shard(url)
                except Exception as exc:  # noqa: BLE001 - counted; the other shards still train
                    handler(exc)
                    continue
                try:
                    yield from tar_file_expander([{"url": url, "stream": stream}], handler=stop)
                    yield {}  # end-of-shard marker (the expander skips its own when it stops on an error)
                finally:
                    with contextlib.suppress(Exception):  # a failed pipe reports on close; already counted
                        stream.close()

        samples = group_by_keys(files(), handler=handler)
        rng = np.random.default_rng(derive_seed(self.seed, epoch, "buffer"))
        return _shuffled(samples, self.shuffle_buffer, rng) if self.shuffle_buffer else samples

    def _raw(self, skip: int, errors: list[str]) -> Iterator[tuple[int, dict]]:
        """(epoch, raw sample) from sample number ``skip`` of the endless (train) or single (eval) sequence."""
        epoch, per_epoch = 0, self.samples_per_epoch
        while self.train or epoch == 0:
            if per_epoch and skip >= per_epoch:
                epoch, skip = epoch + skip // per_epoch, skip % per_epoch
                if not self.train:
                    return
            count = 0
            for sample in self._epoch(epoch, errors):
                count += 1
                if count > skip:
                    yield epoch, sample
                else:  # read errors so far belong to skipped groups, reported by the run that trained on them
                    errors.clear()
            skip = max(0, skip - count)
            if count == 0 and self.train:
                raise RuntimeError(f"epoch {epoch} read no samples from {len(self.shards)} shard(s): {errors[-3:]}")
            if per_epoch and per_epoch != count:
                warnings.warn(f"epoch {epoch} had {count} samples, not samples_per_epoch={per_epoch}; "
                              f"resumed runs may not line up with uninterrupted ones", stacklevel=2)
            per_epoch = count
            epoch += 1

    def _topology(self) -> tuple[int, int, int, int]:
        rank, world, dist = self.rank, self.world_size, torch.distributed
        if rank is None or world is None:
            ready = dist.is_available() and dist.is_initialized()
            rank, world = (dist.get_rank(), dist.get_world_size()) if ready else (0, 1)
        info = get_worker_info()
        return rank, world, (info.id if info else 0), (info.num_workers if info else 1)

    def __iter__(self) -> Iterator[dict]:
        rank, world, worker, workers = self._topology()
        first = self.start_batch * world
        errors: list[str] = []
        group: list[tuple[int, dict]] = []
        index, filled = first, 0

        def mine(i: int) -> bool:
            return i % world == rank and (i // world - self.start_batch) % workers == worker

        for epoch, sample in self._raw(first * self.batch_size, errors):
            if mine(index):
                group.append((epoch, sample))
            filled += 1
            if filled == self.batch_size:
                if mine(index):
                    yield self._batch(index // world, group, errors)
                errors.clear()
                group, filled, index = [], 0, index + 1
        if (filled or errors) and mine(index):  # evaluation's last, short group (or its trailing read errors)
            yield self._batch(index // world, group, errors)

    def _item(self, epoch: int, sample: dict) -> dict | str:
        """A decoded sample, or the reason it is skipped."""
        key = sample["__key__"]
        try:
            row = json.loads(sample["json"]) if "json" in sample else {}
            row = row if isinstance(row, dict) else {}
        except ValueError:
            row = {}
        try:
            title = sample["txt"].decode("utf-8").strip() if "txt" in sample else str(row.get("title") or "").strip()
        except UnicodeDecodeError:
            return "bad_utf8"
        if not title:
            return "no_title"
        videos = sorted(k for k in sample if k not in _META)
        if not videos:
            return "missing_video"
        size = (row.get("width"), row.get("height"))  # the probed size: lets the decoder open once, scaled
        size = size if all(isinstance(v, int) and v > 0 for v in size) else None
        rng = np.random.default_rng(derive_seed(self.seed, epoch, key, "frames")) if self.train else None
        try:
            frames = decode_frames(sample["mp4" if "mp4" in videos else videos[0]], self.num_frames, rng=rng,
                                   short_side=self.decode_short_side, size=size)
        except FrameDecodeError:
            return "undecodable_video"
        video = self.transform(frames_to_tensor(frames), derive_seed(self.seed, epoch, key, "augment"))
        ids = [int(i) for i in self.tokenizer(title)]
        if self.eos_id is None:
            ids = ids[: self.max_text_tokens]
        else:  # truncation keeps the eos last, where eos-pooling text towers read it
            ids = ids[: self.max_text_tokens - 1] + [self.eos_id]
        if not ids:
            return "no_title"
        label = row.get("category_new") if row.get("category_outcome") == "relabelled" else row.get("category")
        category = -1 if label is None else self.category_index.get(canonical_category(label) or str(label), -1)
        return {"key": key, "title": title, "video": video, "ids": ids, "category": category}

    def _batch(self, number: int, group: list[tuple[int, dict]], errors: list[str]) -> dict:
        items, skipped = [], Counter({"shard_error": len(errors)} if errors else {})
        for epoch, sample in group:
            item = self._item(epoch, sample)
            if isinstance(item, str):
                skipped[item] += 1
            else:
                items.append(item)
        length = max((len(item["ids"]) for item in items), default=0)
        pads = [length - len(item["ids"]) for item in items]
        input_ids = torch.tensor([i["ids"] + [self.pad_id] * p for i, p in zip(items, pads)], dtype=torch.long)
        mask = torch.tensor([[1] * len(i["ids"]) + [0] * p for i, p in zip(items, pads)], dtype=torch.long)
        video = (torch.stack([item["video"] for item in items]) if items
                 else torch.zeros((0, self.num_frames, 3, self.image_size, self.image_size)))
        return {"video": video, "input_ids": input_ids.view(len(items), length),
                "attention_mask": mask.view(len(items), length),
                "category": torch.tensor([item["category"] for item in items], dtype=torch.long),
                "keys": [item["key"] for item in items], "titles": [item["title"] for item in items],
                "skipped": dict(skipped), "batch": number}


def _one_thread(_: int) -> None:
    """Workers decode and augment one sample at a time: torch's intra-op threads there would only fight the
    training step's (OpenMP threads spin when cores are oversubscribed; see docs/BENCHMARKS.md)."""
    torch.set_num_threads(1)


def make_loader(dataset: ShardVideoDataset, *, num_workers: int = 4, pin_memory: bool | None = None,
                prefetch_factor: int = 2, persistent_workers: bool = True) -> DataLoader:
    """The DataLoader for a ``ShardVideoDataset``: batches come from the dataset, in order, round-robin by worker."""
    options: dict = {}
    if num_workers > 0:
        options = {"prefetch_factor": prefetch_factor, "persistent_workers": persistent_workers}
    return DataLoader(dataset, batch_size=None, num_workers=num_workers, in_order=True, worker_init_fn=_one_thread,
                      pin_memory=torch.cuda.is_available() if pin_memory is None else pin_memory, **options)
