"""WebDataset shards of the kept records: membership by a stable hash of video_id, samples sorted inside a shard,
each shard written under a temporary name and renamed (a retried bundle never leaves half a tar), tar headers with
fixed owner and mtime, so the same ledger always gives byte-identical shards.

Per sample: the video bytes under their extension when it is a video container's (``VIDEO_EXTENSIONS``), else
under the neutral ``video`` with the file's real name in the json as ``video_name`` (a video named ``x.json`` must
not replace the sample's ``json``); ``json`` (the ledger row); ``txt`` (the normalised title). Paths inside are the
ledger's: relative to the input root or to the run folder, never this machine's absolute paths.
"""
from __future__ import annotations

import hashlib
import io
import json
import posixpath
import tarfile
from functools import lru_cache
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystems import FileSystems

from pipeline import progress, uris
from schemas.shard_index import INDEX_SCHEMA, sample_key, shard_of
from transforms.ledger import write_table

INDEX_PARTS = "_index_parts"

VIDEO_EXTENSIONS = frozenset({"mp4", "m4v", "mov", "mkv", "webm", "avi", "flv", "f4v", "ts", "m2ts", "mts", "mpg",
                              "mpeg", "wmv", "asf", "3gp", "3g2", "ogv", "rm", "rmvb", "vob", "divx"})
NEUTRAL = "video"


def _json_safe(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def kept_rows(path: str) -> list[dict]:
    """The kept rows of one ledger file."""
    with FileSystems.open(path) as handle:
        table = pq.read_table(handle)
    return [row for row in table.to_pylist() if row["status"] == "kept"]


def video_member(video_path: str | None) -> str:
    """The sample's member name for the video: a known container extension, else the neutral ``video``."""
    ext = posixpath.splitext(video_path or "")[1].lstrip(".").lower()
    return ext if ext in VIDEO_EXTENSIONS else NEUTRAL


def _read_video(path: str | None) -> bytes | None:
    if not path:
        return None
    try:
        with FileSystems.open(path) as handle:
            return handle.read()
    except Exception:  # noqa: BLE001 - a video gone since curation: the sample keeps its json and txt
        return None


@lru_cache(maxsize=4)
def _previous_index(shards_dir: str) -> dict[str, tuple[str, str]]:
    """video_id -> (shard path, video member name) of an earlier run's shards."""
    with FileSystems.open(FileSystems.join(shards_dir, "index.parquet")) as handle:
        index = pq.read_table(handle, columns=["video_id", "shard", "members"]).to_pylist()
    out = {}
    for row in index:
        videos = [m for m in row["members"] if m.rsplit(".", 1)[-1] not in ("json", "txt")]
        if videos:
            out[row["video_id"]] = (FileSystems.join(shards_dir, row["shard"]), videos[0])
    return out


@lru_cache(maxsize=8)
def _tar_members(path: str) -> dict[str, tuple[int, int]]:
    """member name -> (data offset, size) of one tar, read once per shard rather than once per sample."""
    with FileSystems.open(path) as handle, tarfile.open(fileobj=handle, mode="r:") as tar:
        return {m.name: (m.offset_data, m.size) for m in tar.getmembers() if m.isfile()}


def _read_previous(shards_dir: str, video_id: str) -> bytes | None:
    """The video bytes an earlier run put in its shards (reshard copies them: no need for the source files)."""
    found = _previous_index(shards_dir).get(video_id)
    if found is None:
        return None
    where = _tar_members(found[0]).get(found[1])
    if where is None:
        return None
    with FileSystems.open(found[0]) as handle:
        handle.seek(where[0])
        return handle.read(where[1])


def _keyed_by_shard(row: dict, shards: int) -> tuple[int, dict]:
    return shard_of(row["video_id"], shards), row


def write_shard(keyed, directory: str, previous: str | None = None, index_dir: str | None = None,
                input_root: str = "") -> list[dict]:
    """Write one shard (and, with ``index_dir``, its index rows as ``index_dir/shard-N.parquet``); return its
    index rows. Video bytes come from ``previous`` shards when given and holding the video, else from the record's
    video_path."""
    import webdataset as wds  # media extra: a core install (text phase only) never writes shards

    number, rows = keyed
    name = f"shard-{number:06d}.tar"
    rows = sorted(rows, key=lambda row: row["video_id"])
    buffer = io.BytesIO()
    index = []
    with wds.TarWriter(buffer, encoder=False, mtime=0, user="ykcurate", group="ykcurate") as writer:
        for row in rows:
            key = sample_key(row["video_id"])
            member = video_member(row.get("video_path"))
            meta = {k: _json_safe(v) for k, v in row.items()}
            if member == NEUTRAL and row.get("video_path"):
                meta["video_name"] = posixpath.basename(row["video_path"])
            sample = {"__key__": key,
                      "json": json.dumps(meta, ensure_ascii=False, sort_keys=True).encode("utf-8"),
                      "txt": (row["title"] or "").encode("utf-8")}
            video = _read_previous(previous, row["video_id"]) if previous else None
            if video is None:
                video = _read_video(uris.resolve(input_root, row.get("video_path")) if input_root
                                    else row.get("video_path"))
            if video is not None:
                sample[member] = video
            writer.write(sample)
            members = sorted(f"{key}.{k}" for k in sample if k != "__key__")
            index.append({"video_id": row["video_id"], "key": key, "shard": name, "members": members,
                          "bytes": sum(len(v) for k, v in sample.items() if k != "__key__"),
                          "sha256": hashlib.sha256(video if video is not None else sample["json"]).hexdigest()})
    path = FileSystems.join(directory, name)
    tmp = f"{path}.tmp"
    with FileSystems.create(tmp) as handle:
        handle.write(buffer.getvalue())
    if FileSystems.exists(path):
        FileSystems.delete([path])
    FileSystems.rename([tmp], [path])
    if index_dir is not None:
        write_table(pa.Table.from_pylist(index, schema=INDEX_SCHEMA),
                    FileSystems.join(index_dir, f"shard-{number:06d}.parquet"))
    progress.count("shards", len(index))
    progress.flush()
    return index


def _write_shard_count(keyed, directory: str, previous: str | None, index_dir: str | None,
                       input_root: str) -> tuple[int, int]:
    return keyed[0], len(write_shard(keyed, directory, previous, index_dir, input_root))


class WriteShards(beam.PTransform):
    """Ledger file paths -> (shard number, samples) of the shards written under ``directory``; index rows go to
    one Parquet part per shard under ``index_dir``."""

    def __init__(self, directory: str, shards: int, previous: str | None = None,
                 index_dir: str | None = None, input_root: str = "") -> None:
        super().__init__()
        self.input_root = input_root
        self.directory = directory
        self.shards = shards
        self.previous = previous
        self.index_dir = index_dir

    def expand(self, ledger_files):
        return (ledger_files
                | "SpreadLedgerFiles" >> beam.Reshuffle()
                | "KeptRows" >> beam.FlatMap(kept_rows)
                | "KeyByShard" >> beam.Map(_keyed_by_shard, self.shards)
                | "GroupShards" >> beam.GroupByKey()
                | "WriteTar" >> beam.Map(_write_shard_count, self.directory, self.previous, self.index_dir,
                                                self.input_root))
