"""Shard contracts: safe, reversible sample keys, stable shard membership, and the ``shards/index.parquet`` schema.

A WebDataset sample key becomes the stem of every member name (``<key>.mp4``, ``<key>.json``), and loaders split a
member name at its first dot, so a key may hold neither dots nor slashes; video_ids can hold anything ("../x",
"a/b\\x00c", 300 characters). The key is "k" + lowercase base32 of the id's UTF-8 (reversible by ``video_id_of``),
or for ids too long for a portable tar name, "h" + sha256 of the id (the index records the mapping either way).
"""
from __future__ import annotations

import base64
import hashlib

import pyarrow as pa

MAX_KEY = 96  # ustar's 100-byte name field minus ".json"-style suffixes

INDEX_SCHEMA = pa.schema([
    ("video_id", pa.string()),
    ("key", pa.string()),
    ("shard", pa.string()),          # file name under shards/
    ("members", pa.list_(pa.string())),
    ("bytes", pa.int64()),           # of this sample's members together
    ("sha256", pa.string()),         # of the video member (or of the json when there is no video)
])


def sample_key(video_id: str) -> str:
    encoded = "k" + base64.b32encode(video_id.encode("utf-8", "surrogatepass")).decode().rstrip("=").lower()
    return encoded if len(encoded) <= MAX_KEY else "h" + hashlib.sha256(video_id.encode("utf-8", "surrogatepass")).hexdigest()


def video_id_of(key: str) -> str | None:
    """The video_id behind a "k" key; None for hashed keys (look those up in the index)."""
    if not key.startswith("k"):
        return None
    body = key[1:].upper()
    return base64.b32decode(body + "=" * (-len(body) % 8)).decode("utf-8", "surrogatepass")


def shard_of(video_id: str, shards: int) -> int:
    """Stable shard number (same id, same shard count -> same shard on every run and runner)."""
    digest = hashlib.blake2b(video_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") % shards
