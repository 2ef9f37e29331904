import gzip
import os

import pytest

from transforms.read_files import NotAFile, check_regular, compression_of, csv_records, lines


def test_compression_by_extension_or_magic(tmp_path):
    assert compression_of("a.jsonl.GZ") == "gzip" and compression_of("a.csv.zst") == "zstd"
    assert compression_of("a.jsonl", b"\x1f\x8b\x08\x00") == "gzip"
    assert compression_of("a.jsonl", b"BZh9") == "bzip2" and compression_of("a.jsonl", b'{"a"') is None


def test_lines_of_a_gzip_file_are_decompressed_offsets(tmp_path):
    path = tmp_path / "x.jsonl"  # gzip content under a plain name: found by its magic bytes
    path.write_bytes(gzip.compress(b"one\ntwo\n\nthree\n"))
    assert list(lines(str(path), 0, 1 << 40)) == [(0, b"one\n"), (4, b"two\n"), (8, b"\n"), (9, b"three\n")]


def test_csv_records_span_quoted_newlines(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b'id,title\n1,"a\nb"\n2,"say ""hi"""\n3,"open\n')
    assert list(csv_records(str(path))) == [(0, b"id,title\n"), (9, b'1,"a\nb"\n'), (17, b'2,"say ""hi"""\n'),
                                            (32, b'3,"open\n')]


def test_only_regular_files(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(NotAFile, match="FIFO"):
        check_regular(str(tmp_path / "fifo"))
    with pytest.raises(NotAFile, match="directory"):
        check_regular(str(tmp_path))
    with pytest.raises(NotAFile, match="character device"):
        check_regular("/dev/null")
    check_regular(str(tmp_path / "missing"))  # gone: the read reports it
