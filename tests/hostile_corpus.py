"""A corpus of hostile input: every kind of junk seen in scraped platform metadata, one record per kind.

Each case is one JSONL line (bytes, exactly as it will be written) and the stage it must land at: ``schema`` for a
record that cannot enter the pipeline, a later stage name for a valid but bad record, ``None`` where any outcome is
acceptable as long as the record lands once. ``write_hostile_corpus`` also writes the media kinds (ffmpeg-made and
broken video files) and a CSV file with RFC 4180 quoting. ``python -m tests.hostile_corpus DIR`` writes it for a
manual run.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

GOOD = "周末在家做红烧肉的详细步骤分享"  # a title every text stage keeps


class Case(NamedTuple):
    kind: str
    line: bytes
    stage: str | None   # where it must land ("schema" = error row); None = anywhere, once


def _obj(kind: str, stage: str | None, **fields) -> Case:
    record = {"video_id": f"h-{kind}", "title": f"{GOOD}{len(kind)}", "duration": 30}
    record.update(fields)
    return Case(kind, json.dumps(record, ensure_ascii=False).encode("utf-8"), stage)


def _raw(kind: str, stage: str | None, text: str) -> Case:
    return Case(kind, text.encode("utf-8", "surrogatepass"), stage)


def text_cases() -> list[Case]:
    vid = '"video_id": "h-{}"'
    cases = [
        # lone surrogates, as JSON escapes (valid JSON, invalid Unicode)
        _raw("surrogate-title", "schema", '{%s, "title": "好看\\ud800的视频合集", "duration": 30}' % vid.format(1)),
        _raw("surrogate-id", "schema", '{"video_id": "h-\\udfff", "title": "%s", "duration": 30}' % GOOD),
        _raw("surrogate-extra-value", "schema",
             '{%s, "title": "%s", "duration": 30, "uploader": "a\\ud83d"}' % (vid.format(3), GOOD)),
        _raw("surrogate-extra-key", "schema",
             '{%s, "title": "%s", "duration": 30, "k\\udc00": 1}' % (vid.format(4), GOOD)),
        _raw("surrogate-category", "schema",
             '{%s, "title": "%s", "duration": 30, "category": "\\ud800"}' % (vid.format(5), GOOD)),
        # nesting and numbers that break naive parsers
        _raw("deep-array", "schema", "[" * 100_000 + "]" * 100_000),
        _raw("deep-extra", "schema", '{%s, "title": "%s", "x": %s%s}' % (vid.format(7), GOOD, "[" * 50_000,
                                                                        "]" * 50_000)),
        _raw("huge-duration", "schema", '{%s, "title": "%s", "duration": %s}' % (vid.format(8), GOOD, "9" * 401)),
        _raw("huge-width", "schema", '{%s, "title": "%s", "duration": 30, "width": %s}' % (vid.format(9), GOOD,
                                                                                            "7" * 401)),
        _raw("5000-digit-int", "schema", '{%s, "title": "%s", "duration": %s}' % (vid.format(10), GOOD, "1" * 5000)),
        _raw("5000-digit-extra", "schema", '{%s, "title": "%s", "duration": 30, "views": %s}' % (
            vid.format(11), GOOD, "3" * 5000)),
        _raw("float-overflow", "schema", '{%s, "title": "%s", "duration": 1e400}' % (vid.format(12), GOOD)),
        _raw("nan-duration", "schema", '{%s, "title": "%s", "duration": NaN}' % (vid.format(13), GOOD)),
        _raw("infinity-fps", "schema", '{%s, "title": "%s", "duration": 30, "fps": Infinity}' % (vid.format(14),
                                                                                                  GOOD)),
        _obj("negative-duration", "schema", duration=-5),
        _obj("string-duration", "schema", duration="三十秒"),
        _obj("bool-duration", "schema", duration=True),
        _obj("list-duration", "schema", duration=[30]),
        _obj("fraction-width", "schema", width=3.5),
        _obj("negative-height", "schema", height=-240),
        _obj("huge-float-duration", "duration", duration=1e308),
        _obj("zero-duration", "duration", duration=0),
        # titles
        _obj("title-null", "schema", title=None),
        _obj("title-empty", "schema", title=""),
        _obj("title-blank", "schema", title=" \t\u3000 "),
        _obj("title-list", "schema", title=["红烧肉"]),
        _obj("title-object", "schema", title={"zh": "红烧肉"}),
        _obj("title-too-long", "schema", title="长" * 5000),
        _obj("title-number", "title_quality", title=12345678),
        _obj("title-controls", None, title="好看\x00的视频\x07合集\x1b[0m完整版本分享"),
        _obj("title-bidi", None, title="\u202e好看的视频合集完整版本分享\u202c"),
        _obj("title-c1", None, title="好看的视频\x85合集\x9b完整版本分享"),
        _obj("title-newlines", None, title="好看的视频\n合集\r完整版\u2028本分享\u2029"),
        _obj("title-zero-width", None, title="红\u200b烧\u200d肉\ufeff的详细步骤分享啊"),
        _obj("title-only-controls", "title_quality", title="\x01\x02\x03\x1b[31m"),
        _obj("title-html", None, title="<script>alert('红烧肉')</script>做法分享"),
        _obj("title-emoji-only", "title_quality", title="😀😀😀🎉🎉🎉🔥🔥"),
        _obj("title-private-use", None, title="红烧肉\ue000\uf8ff的做法分享给大家"),
        # ids
        _obj("id-missing", "schema", video_id=None),
        _obj("id-float", "schema", video_id=1.5),
        _obj("id-object", "schema", video_id={"a": 1}),
        _obj("id-huge", None, video_id="x" * 100_000),
        _obj("id-controls", None, video_id="h-\x1b[2J\x07"),
        _obj("id-path-traversal", None, video_id="../../etc/passwd"),
        # records that are not objects, broken lines
        _raw("array-record", "schema", '["h-22", "%s", 30]' % GOOD),
        _raw("string-record", "schema", '"just a string"'),
        _raw("null-record", "schema", "null"),
        _raw("number-record", "schema", "12345"),
        _raw("truncated-json", "schema", '{%s, "title": "%s", "dur' % (vid.format(23), GOOD)),
        _raw("trailing-garbage", "schema", '{%s, "title": "%s"} xyz' % (vid.format(24), GOOD)),
        _raw("raw-tab-in-string", "schema", '{%s, "title": "红烧\t肉"}' % vid.format(25)),
        _raw("bom-line", None, '\ufeff{%s, "title": "%s", "duration": 30}' % (vid.format(26), GOOD)),
        _raw("crlf-line", None, '{%s, "title": "%s", "duration": 30}\r' % (vid.format(27), GOOD)),
        _raw("duplicate-keys", None, '{%s, "title": "x", "title": "%s", "duration": 30}' % (vid.format(28), GOOD)),
        _raw("empty-object", "schema", "{}"),
        # fields
        _obj("md5-bad", "schema", md5="not-an-md5"),
        _obj("md5-list", "schema", md5=["d41d8cd98f00b204e9800998ecf8427e"]),
        _obj("category-unknown", "schema", category="不存在的分类"),
        _obj("category-object", "schema", category={"id": 1}),
        _obj("underscore-extra", None, _internal="keep me", __proto__="and me"),
        _obj("many-extra-fields", None, **{f"f{i}": i for i in range(5000)}),
        _obj("video-path-number", None, video_path=42),
    ]
    cases.append(Case("invalid-utf8", b'{"video_id": "h-30", "title": "\xff\xfe\xfd", "duration": 30}', "schema"))
    cases.append(Case("nul-bytes-line", b'{"video_id": "h-31"\x00\x00, "title": "x"}', "schema"))
    cases.append(Case("latin1-line", '{"video_id": "h-32", "title": "café crème"}'.encode("latin-1"), "schema"))
    return cases


def media_cases(videos: Path) -> list[Case]:
    """Records whose video is hostile; ``videos`` must hold the files ``write_media`` makes."""
    titles = iter(["黄山日出云海延时摄影全记录", "小猫第一次见到雪的反应太可爱", "自制手工皮具钱包教程详解",
                   "北京胡同里的老字号早餐探店", "三分钟学会家常版宫保鸡丁", "骑行川藏线第十五天翻越雪山",
                   "儿童乐高城市系列拼装过程", "深夜食堂之番茄牛腩煲做法", "海边冲浪新手入门注意事项",
                   "老式收音机拆解与修复过程", "城市夜景航拍合集第二季", "周末露营装备清单分享",
                   "钢琴初学者每日练习曲目", "家庭版提拉米苏零失败配方", "云南大理古城夜市小吃",
                   "旧手机改造成监控摄像头"])

    def rec(kind: str, path: str, stage: str | None) -> Case:
        return _obj(f"media-{kind}", stage, video_path=path, title=next(titles), duration=12)

    return [
        rec("missing", "videos/does_not_exist.mp4", "decode"),
        rec("empty", "videos/empty.mp4", "decode"),
        rec("text", "videos/text.mp4", "decode"),
        rec("random", "videos/random.mp4", "decode"),
        rec("directory", "videos", "decode"),
        rec("named-json", "videos/x.json", None),
        rec("named-txt", "videos/x.txt", None),
        rec("odd-extension", "videos/clip.m p4!", None),
        rec("unknown-scheme", "nosuchscheme://bucket/a.mp4", "decode"),
        rec("traversal", "videos/../videos/ok.mp4", None),
        rec("fifo", "videos/pipe.mp4", "decode"),
        rec("dev-zero", "/dev/zero", "decode"),
        rec("truncated", "videos/truncated.mp4", "decode"),
        rec("audio-only", "videos/audio.m4a", "decode"),
        rec("still-image", "videos/still.png", "decode"),
    ]


def _video(out: Path, source: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", f"{source}{'=' if '=' not in source else ':'}size=320x240:rate=10",
                    "-t", "12", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-f", "mp4",
                    str(out)], check=True, timeout=60)


def write_media(videos: Path) -> None:
    """Distinct real videos under hostile names (so each can be kept), and files that are no video at all."""
    videos.mkdir(parents=True, exist_ok=True)
    _video(videos / "ok.mp4", "testsrc2")
    _video(videos / "x.json", "mandelbrot")
    _video(videos / "x.txt", "life=mold=10:ratio=0.5:death_color=#C83232:life_color=#00ff00")
    _video(videos / "clip.m p4!", "cellauto=rule=110")
    data = (videos / "ok.mp4").read_bytes()
    (videos / "truncated.mp4").write_bytes(data[: len(data) // 3])
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440", "-t", "12",
                    "-c:a", "aac", str(videos / "audio.m4a")], check=True, timeout=60)
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240",
                    "-frames:v", "1", str(videos / "still.png")], check=True, timeout=60)
    if not (videos / "pipe.mp4").exists():
        os.mkfifo(videos / "pipe.mp4")  # opening it would block forever: the probe must refuse it
    (videos / "empty.mp4").write_bytes(b"")
    (videos / "text.mp4").write_text("不是视频\n" * 50, encoding="utf-8")
    (videos / "random.mp4").write_bytes(bytes((i * 7919) % 251 for i in range(50_000)))


CSV_TEXT = ('video_id,title,duration\n'
            'c-1,"周末在家做红烧肉的详细步骤\n第二行",30\n'
            'c-2,"带""引号""的标题也很正常的视频",30\n'
            'c-3,"逗号,在标题里面的一个视频",30\n'
            'c-4,only,two,extra,fields\n'
            'c-5\n')
CSV_RECORDS = 5


def write_hostile_corpus(root: Path, media: bool = True) -> dict[str, Case]:
    """Write ``root/hostile.jsonl`` (text and, with ``media``, media cases) and ``root/quoted.csv``; return the
    cases by video-id-free kind, in line order."""
    root.mkdir(parents=True, exist_ok=True)
    cases = text_cases()
    if media:
        write_media(root / "videos")
        cases += media_cases(root / "videos")
    with open(root / "hostile.jsonl", "wb") as handle:
        for case in cases:
            assert b"\n" not in case.line, case.kind
            handle.write(case.line + b"\n")
            handle.write(b"\n")  # blank lines are not records
    (root / "quoted.csv").write_text(CSV_TEXT, encoding="utf-8")
    return {case.kind: case for case in cases}


if __name__ == "__main__":
    out = Path(sys.argv[1])
    print(f"{len(write_hostile_corpus(out))} hostile records + {CSV_RECORDS} CSV records under {out}")
