"""Opening input files: compression, refusing what is not a file, and the physical records of JSONL and CSV.

Compressed inputs (gzip, bzip2, zstd) are recognised by extension or by their magic bytes, and read whole as one
unit of work: a compressed stream cannot be entered at a byte offset, and offsets (hence record ids) are positions
in the decompressed stream. CSV follows RFC 4180: a quoted field may hold newlines, so a record can span lines and
a CSV file is never split at byte offsets either (several files still spread over the workers).
"""
from __future__ import annotations

import bz2
import gzip
import io
import os
import stat
from typing import IO, Iterator

from apache_beam.io.filesystems import CompressionTypes, FileSystems

MAGIC = {b"\x1f\x8b": "gzip", b"BZh": "bzip2", b"\x28\xb5\x2f\xfd": "zstd"}
EXTENSIONS = {".gz": "gzip", ".gzip": "gzip", ".bz2": "bzip2", ".zst": "zstd", ".zstd": "zstd"}


class NotAFile(ValueError):
    """A FIFO, device, socket or directory given as input."""


def check_regular(path: str) -> None:
    """Refuse local paths that are not regular files: reading a FIFO blocks forever, a device never ends."""
    if "://" in path and not path.startswith("file://"):
        return
    local = path.removeprefix("file://")
    try:
        mode = os.stat(local).st_mode
    except OSError:
        return  # gone or unreadable: the read reports it
    for test, what in ((stat.S_ISDIR, "a directory (give DIR/*.jsonl)"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            raise NotAFile(f"input {path} is {what}, not a regular file")


def compression_of(path: str, head: bytes | None = None) -> str | None:
    """'gzip' | 'bzip2' | 'zstd' | None, from the extension, else from the first bytes when given."""
    lower = path.lower()
    for suffix, kind in EXTENSIONS.items():
        if lower.endswith(suffix):
            return kind
    if head:
        for magic, kind in MAGIC.items():
            if head.startswith(magic):
                return kind
    return None


def read_head(path: str, size: int = 4) -> bytes:
    with FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED) as handle:
        return handle.read(size)


def open_input(path: str) -> IO[bytes]:
    """A buffered binary stream of the file's (decompressed) content."""
    raw = FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)
    buffered = raw if hasattr(raw, "peek") else io.BufferedReader(raw, 1 << 20)
    kind = compression_of(path, buffered.peek(4)[:4])
    if kind == "gzip":
        return io.BufferedReader(gzip.GzipFile(fileobj=buffered), 1 << 20)
    if kind == "bzip2":
        return io.BufferedReader(bz2.BZ2File(buffered), 1 << 20)
    if kind == "zstd":
        import zstandard

        return io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(buffered, closefd=True), 1 << 20)
    return buffered


def lines(path: str, start: int, end: int) -> Iterator[tuple[int, bytes]]:
    """(byte offset, line) for every line whose first byte lies in [start, end) of the decompressed content."""
    with open_input(path) as handle:
        pos = start
        if pos > 0:
            handle.seek(pos - 1)
            pos += len(handle.readline()) - 1
        while pos < end:
            line = handle.readline()
            if not line:
                return
            yield pos, line
            pos += len(line)


def csv_records(path: str) -> Iterator[tuple[int, bytes]]:
    """(byte offset, record) for every CSV record, header included: physical lines are joined while a quoted field
    is open (an odd number of double quotes so far), as RFC 4180 allows newlines inside quotes."""
    pending, first, quotes = b"", 0, 0
    for offset, line in lines(path, 0, 1 << 62):
        if not pending:
            first = offset
        pending += line
        quotes += line.count(b'"')
        if quotes % 2 == 0:
            yield first, pending
            pending, quotes = b"", 0
    if pending:
        yield first, pending  # an unterminated quote: the rest of the file is one (bad) record
