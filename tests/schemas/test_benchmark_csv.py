"""The benchmark CSVs as published: header per task, labels by Chinese name, bad rows reported and skipped."""
import pytest

from schemas.benchmark_csv import BenchmarkFormatError, parse_benchmark, write_benchmark
from schemas.taxonomy import NAMES


def test_the_three_published_layouts_read_back():
    cls = "video_id:FILE,title,label\nvideos/a.mp4,\"做饭, 第一集\",美食制作\r\nvideos/b.mp4,篮球赛,篮球\n"
    table = parse_benchmark(("\ufeff" + cls).encode(), "classification")  # a BOM, CRLF, a quoted comma
    assert [(r.file, r.text, NAMES[r.label], r.line) for r in table.rows] == [
        ("videos/a.mp4", "做饭, 第一集", "美食制作", 2), ("videos/b.mp4", "篮球赛", "篮球", 3)]
    assert table.problems == []
    ret = parse_benchmark("clip_name:FILE,caption\nclips/1.mp4,一只猫在沙发上睡觉\n".encode(), "retrieval")
    assert ret.rows[0].text == "一只猫在沙发上睡觉" and ret.rows[0].label == -1
    cap = parse_benchmark("video_id:FILE,golden_caption\nv/1.mp4,第一句\nv/1.mp4,第二句\n".encode(), "captioning")
    assert [r.text for r in cap.rows] == ["第一句", "第二句"]


def test_malformed_rows_are_reported_and_skipped_never_fatal():
    data = ("video_id:FILE,title,label\n"
            "v/1.mp4,好标题,科技\n"
            "v/2.mp4,少一列\n"
            ",没有文件,科技\n"
            "v/3.mp4,,科技\n"
            "v/4.mp4,未知类别,不存在的类别\n"
            "\n"
            "v/5.mp4,英文名也行,Technology\n").encode() + b"v/6.mp4,\xff\xfe,25\n"
    table = parse_benchmark(data, "classification")
    assert [r.file for r in table.rows] == ["v/1.mp4", "v/5.mp4"]
    assert [line for line, _ in table.problems] == [3, 4, 5, 6, 9]
    assert "2 fields" in table.problems[0][1] and "not one of the 45" in table.problems[3][1]
    assert "UTF-8" in table.problems[4][1]


@pytest.mark.parametrize("task, data", [
    ("classification", "clip_name:FILE,caption\nc/1.mp4,x\n"),  # another task's file
    ("retrieval", ""),
    ("captioning", "v/1.mp4,no header\n"),
])
def test_a_file_of_another_task_or_without_header_is_refused(task, data):
    with pytest.raises(BenchmarkFormatError):
        parse_benchmark(data.encode(), task)


def test_written_files_parse_to_the_same_rows():
    rows = [("v/1.mp4", "标题, 带逗号", "科技"), ("v/2.mp4", '带"引号"的标题', "旅游")]
    table = parse_benchmark(write_benchmark(rows, "classification"), "classification")
    assert [(r.file, r.text, NAMES[r.label]) for r in table.rows] == rows
