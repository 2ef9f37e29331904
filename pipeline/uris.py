"""Paths a user may put on object storage are URIs: joined, listed and removed through Beam's FileSystems.

Why not pathlib: ``Path("gs://b/x")`` collapses the ``//``. Why not ``FileSystems.exists(prefix)``: object stores
have no directories, so a prefix full of objects does not "exist"; list with a recursive match instead. Local
paths are made absolute at launch, so every worker (each with its own working directory) reads the same files.
"""
from __future__ import annotations

import os
import posixpath
import shutil

from apache_beam.io.filesystems import FileSystems

from filters import remote_files


def is_local(uri: str) -> bool:
    return "://" not in uri or uri.startswith("file://")


def local_path(uri: str) -> str:
    return uri[len("file://"):] if uri.startswith("file://") else uri


def absolute(uri: str) -> str:
    """A local path made absolute (``~`` expanded); URIs unchanged."""
    return os.path.abspath(os.path.expanduser(uri)) if "://" not in uri else uri


def join(base: str, *parts: str) -> str:
    return FileSystems.join(base, *parts)


def common_root(paths: list[str]) -> str:
    """The deepest folder holding every one of ``paths`` (local paths or URIs of one scheme); "" when they share
    none (mixed schemes). Input paths are stored relative to it, so a ledger names no machine-specific folder."""
    folders = [posixpath.dirname(p) if "://" in p else os.path.dirname(p) for p in paths]
    schemes = {f.split("://", 1)[0] if "://" in f else "" for f in folders}
    if len(schemes) != 1 or not folders:
        return ""
    scheme = schemes.pop()
    if not scheme:
        return os.path.commonpath(folders)
    bare = [f.split("://", 1)[1] for f in folders]
    return f"{scheme}://{posixpath.commonpath(bare)}" if all(bare) else ""


def relative_to(path: str, root: str) -> str:
    """``path`` relative to ``root``: local paths always (``../`` where needed), URIs when under ``root``."""
    if not root or not path:
        return path
    prefix = root.rstrip("/") + "/"
    if "://" not in path and "://" not in root and os.path.isabs(path):
        rest = path[len(prefix):]
        if path.startswith(prefix) and rest and "/." not in f"/{rest}" and "//" not in rest:
            return rest  # already normal and under root: what relpath would say, ~20x cheaper per record
        return os.path.relpath(path, root)
    return path[len(prefix):] if path.startswith(prefix) else path


def resolve(run: str, path: str | None) -> str | None:
    """A path stored in a run's ledger: relative ones are relative to that run's folder."""
    if not path or "://" in path or os.path.isabs(path):
        return path
    return FileSystems.join(run, path)


def list_files(prefix: str) -> list[str]:
    """Every file (object) under ``prefix``, recursively, sorted."""
    if is_local(prefix):
        root = local_path(prefix)
        if not os.path.isdir(root):
            return []
        return sorted(os.path.join(d, f) for d, _, files in os.walk(root) for f in files)
    pattern = prefix.rstrip("/") + "/**"
    return sorted(m.path for m in FileSystems.match([pattern])[0].metadata_list)


def has_files(prefix: str) -> bool:
    """Whether anything lies under ``prefix``; stops at the first file (a used run may hold millions)."""
    if is_local(prefix):
        root = local_path(prefix)
        return os.path.isdir(root) and any(files for _, _, files in os.walk(root))
    return bool(FileSystems.match([prefix.rstrip("/") + "/**"], limits=[1])[0].metadata_list)


def exists(uri: str) -> bool:
    """A file, or a folder/prefix holding at least one file."""
    if is_local(uri):
        return os.path.exists(local_path(uri))
    return FileSystems.exists(uri) or has_files(uri)


def remove(uri: str) -> None:
    """Remove a file or everything under a folder/prefix; nothing there is fine."""
    if is_local(uri):
        path = local_path(uri)
        if os.path.isdir(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            os.remove(path)
        return
    paths = list_files(uri)
    if FileSystems.exists(uri):
        paths.append(uri)
    for start in range(0, len(paths), 1000):
        FileSystems.delete(paths[start:start + 1000])


def read_text(uri: str) -> str:
    with FileSystems.open(uri) as handle:
        return handle.read().decode("utf-8")


def write_bytes(uri: str, data: bytes) -> None:
    """Write under a temporary name, then rename: readers never see half a file."""
    tmp = f"{uri}.tmp"
    if is_local(uri):
        os.makedirs(os.path.dirname(local_path(uri)) or ".", exist_ok=True)
        with open(local_path(tmp), "wb") as handle:
            handle.write(data)
        os.replace(local_path(tmp), local_path(uri))
        return
    with FileSystems.create(tmp) as handle:
        handle.write(data)
    if FileSystems.exists(uri):
        FileSystems.delete([uri])
    FileSystems.rename([tmp], [uri])


def _size_or_none(uri: str) -> int | None:
    matched = FileSystems.match([uri])[0].metadata_list
    return matched[0].size_in_bytes if matched else None


# the filters reach URIs through Beam's FileSystems
remote_files.use_reader(FileSystems.open, _size_or_none, FileSystems.create)
