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


class NoReader(OSError):
    """A URI, but no reader registered (the pipeline registers Beam's FileSystems)."""


def use_reader(open_uri: Callable[[str], BinaryIO], size_of: Callable[[str], int | None]) -> None:
    """Register how URIs are opened and sized (``size_of`` returns None for a missing object)."""
    global _open, _size
    _open, _size = open_uri, size_of


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
