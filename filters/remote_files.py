"""Files behind URIs (``gs://.../safety.ftz``, ``s3://.../clip.mp4``) for the plain-Python filters, without Beam.

Why a registry: filters must run anywhere (a notebook, a unit test, a Beam worker) and must not import Beam, yet
on a cluster their models and videos live on object storage, reachable through Beam's FileSystems. So filters call
``open_uri`` / ``uri_size`` here, and the pipeline registers Beam's FileSystems as the reader when it is imported
(``pipeline.uris``, which every transform and command imports). Local paths never go through the registry.
"""
from __future__ import annotations

import hashlib
import os
import posixpath
import tempfile
from typing import BinaryIO, Callable

_open: Callable[[str], BinaryIO] | None = None
_size: Callable[[str], int | None] | None = None
_create: Callable[[str], BinaryIO] | None = None


class NoReader(OSError):
    """A URI, but no reader registered (the pipeline registers Beam's FileSystems)."""


def use_reader(open_uri: Callable[[str], BinaryIO], size_of: Callable[[str], int | None],
               create_uri: Callable[[str], BinaryIO] | None = None) -> None:
    """Register how URIs are opened, sized (``size_of`` returns None for a missing object) and created."""
    global _open, _size, _create
    _open, _size, _create = open_uri, size_of, create_uri


def is_uri(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


def open_uri(uri: str) -> BinaryIO:
    if _open is None:
        raise NoReader(f"no reader for {uri}: import pipeline.uris (Beam FileSystems) or register one")
    return _open(uri)


def uri_size(uri: str) -> int | None:
    if _size is None:
        raise NoReader(f"no reader for {uri}: import pipeline.uris (Beam FileSystems) or register one")
    return _size(uri)


def join(folder: str, name: str) -> str:
    return posixpath.join(folder, name) if is_uri(folder) else os.path.join(folder, name)


def parent(path: str) -> str:
    return posixpath.dirname(path.rstrip("/")) if is_uri(path) else os.path.dirname(path.rstrip("/"))


def write_bytes(path: str, blob: bytes) -> None:
    """Write a whole file, local or behind a URI (through the registered writer)."""
    if not is_uri(path):
        local = path[len("file://"):] if path.startswith("file://") else path
        os.makedirs(os.path.dirname(local) or ".", exist_ok=True)
        with open(local, "wb") as handle:
            handle.write(blob)
        return
    if _create is None:
        raise NoReader(f"no writer for {path}: import pipeline.uris (Beam FileSystems) or register one")
    with _create(path) as handle:
        handle.write(blob)


def local_copy(path: str) -> str:
    """``path`` itself when local; else a local copy (made once per machine, written atomically): fastText, NumPy
    and the lexicon reader open local paths only."""
    path = str(path)
    if not is_uri(path):
        return path[len("file://"):] if path.startswith("file://") else path
    folder = os.path.join(tempfile.gettempdir(), "ykcurate-models")
    os.makedirs(folder, exist_ok=True)
    digest = hashlib.sha256(path.encode()).hexdigest()[:16]
    local = os.path.join(folder, f"{digest}-{posixpath.basename(path)}")
    if not os.path.exists(local):
        tmp = f"{local}.{os.getpid()}.tmp"
        with open_uri(path) as source, open(tmp, "wb") as target:
            for block in iter(lambda: source.read(1 << 20), b""):
                target.write(block)
        os.replace(tmp, local)
    return local
