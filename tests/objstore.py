"""``objstore://bucket/key``: a Beam FileSystem with object-store semantics, for tests.

Like GCS or S3: there are no directories (``mkdirs`` does nothing, ``exists`` is true only for a whole key, a
"folder" is just a key prefix), listing is by prefix, ``rename`` is copy + delete, and an object appears only when
its writer closes it. Objects live as flat files under ``$YKCURATE_OBJSTORE_ROOT`` (the key percent-encoded, so no
directory is ever created), which every process on the machine sees. Registered with Beam on import; worker
processes import it through ``YKCURATE_PLUGINS=tests.objstore``.
"""
from __future__ import annotations

import io
import os
import shutil
import urllib.parse

from apache_beam.io.filesystem import BeamIOError, CompressionTypes, CompressedFile, FileMetadata, FileSystem

SCHEME = "objstore"
PREFIX = SCHEME + "://"


def _root() -> str:
    root = os.environ["YKCURATE_OBJSTORE_ROOT"]
    os.makedirs(root, exist_ok=True)
    return root


def _file(path: str) -> str:
    return os.path.join(_root(), urllib.parse.quote(path[len(PREFIX):], safe=""))


def all_keys() -> list[str]:
    """Every object's full path (tests check that nothing is left behind)."""
    return sorted(PREFIX + urllib.parse.unquote(name) for name in os.listdir(_root()) if not name.startswith("."))


class _Upload(io.BytesIO):
    """Bytes become visible under the key only when closed, as an object store's upload."""

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def close(self) -> None:
        if not self.closed:
            tmp = os.path.join(_root(), f".upload-{os.getpid()}-{id(self)}")
            with open(tmp, "wb") as handle:
                handle.write(self.getvalue())
            os.replace(tmp, self.target)
        super().close()


class ObjectStoreFileSystem(FileSystem):
    @classmethod
    def scheme(cls) -> str:
        return SCHEME

    def join(self, basepath: str, *paths: str) -> str:
        path = basepath
        for part in paths:
            path = path.rstrip("/") + "/" + part.lstrip("/")
        return path

    def split(self, path: str) -> tuple[str, str]:
        head, _, tail = path.rpartition("/")
        return (head, tail) if len(head) > len(PREFIX) - 1 else (path, "")

    def mkdirs(self, path: str) -> None:
        pass  # no directories

    def has_dirs(self) -> bool:
        return False

    def _list(self, dir_or_prefix: str):
        for key in all_keys():
            if key.startswith(dir_or_prefix):
                name = _file(key)
                yield FileMetadata(key, os.path.getsize(name), os.path.getmtime(name))

    def create(self, path: str, mime_type: str = "application/octet-stream",
               compression_type: str = CompressionTypes.AUTO):
        raw = _Upload(_file(path))
        compression_type = CompressionTypes.detect_compression_type(path) \
            if compression_type == CompressionTypes.AUTO else compression_type
        return raw if compression_type == CompressionTypes.UNCOMPRESSED else CompressedFile(raw, compression_type)

    def open(self, path: str, mime_type: str = "application/octet-stream",
             compression_type: str = CompressionTypes.AUTO):
        try:
            raw = open(_file(path), "rb")
        except FileNotFoundError as exc:
            raise BeamIOError("open failed", {path: exc}) from exc
        compression_type = CompressionTypes.detect_compression_type(path) \
            if compression_type == CompressionTypes.AUTO else compression_type
        return raw if compression_type == CompressionTypes.UNCOMPRESSED else CompressedFile(raw, compression_type)

    def copy(self, source_file_names, destination_file_names) -> None:
        for source, destination in zip(source_file_names, destination_file_names):
            shutil.copyfile(_file(source), _file(destination))

    def rename(self, source_file_names, destination_file_names) -> None:
        self.copy(source_file_names, destination_file_names)
        self.delete(source_file_names)

    def exists(self, path: str) -> bool:
        return os.path.isfile(_file(path))

    def size(self, path: str) -> int:
        return os.path.getsize(_file(path))

    def last_updated(self, path: str) -> float:
        return os.path.getmtime(_file(path))

    def checksum(self, path: str) -> str:
        return str(self.size(path))

    def metadata(self, path: str) -> FileMetadata:
        return FileMetadata(path, self.size(path), self.last_updated(path))

    def delete(self, paths) -> None:
        errors = {}
        for path in paths:
            try:
                os.remove(_file(path))
            except FileNotFoundError as exc:
                errors[path] = exc
        if errors:
            raise BeamIOError("delete failed", errors)
