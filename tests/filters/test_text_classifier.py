import csv
import random

import pytest

from filters.base import apply
from filters.text_classifier import read_labelled, tokenize_for_fasttext, train_text_classifier
from filters.text_safety import TextSafetyFilter
from pipeline.config import TextSafetyConfig

SAFE_HEADS = ["家常红烧肉", "番茄炒蛋", "篮球比赛", "足球集锦", "王者荣耀", "旅行日记", "小猫咪", "数学课堂",
              "健身训练", "钢琴演奏", "新闻速递", "汽车评测", "手机开箱", "宝宝辅食", "广场舞"]
SAFE_TAILS = ["做法教程", "精彩瞬间", "新手攻略", "第一集", "完整版", "高清回放", "日常记录", "详细讲解"]
UNSAFE_HEADS = ["加微信看私密", "扫码进群领", "私信获取内部", "同城寂寞交友", "深夜福利群发", "点主页链接看",
                "加群免费领", "私聊解锁"]
UNSAFE_TAILS = ["福利资源", "私密视频", "寂寞少妇", "内部福利", "隐藏福利", "无删减资源", "深夜资源"]


def _write_csv(path, n=320, seed=0):
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["title", "label"])
        for i in range(n):
            if i % 2:
                writer.writerow([rng.choice(UNSAFE_HEADS) + rng.choice(UNSAFE_TAILS), "unsafe"])
            else:
                writer.writerow([rng.choice(SAFE_HEADS) + rng.choice(SAFE_TAILS) + str(i), "safe"])
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("clf")
    data = _write_csv(tmp / "train.csv")
    info = train_text_classifier(data, tmp / "safety.bin", epoch=25, lr=0.5, dim=20, bucket=20_000)
    return info


def test_tokenize_for_fasttext():
    assert tokenize_for_fasttext("Python教程 第2集！\n") == "python 教 程 第 2 集"
    assert tokenize_for_fasttext("ＰＫ赛, iPhone16") == "pk 赛 iphone16"
    assert tokenize_for_fasttext("") == "" and tokenize_for_fasttext(None) == ""


def test_train_reports(trained):
    assert trained["labels"] == ["safe", "unsafe"]
    assert trained["n_train"] == 288 and trained["n_valid"] == 32
    assert trained["accuracy"] >= 0.9
    assert trained["quantized"] is False and "min_quantize_examples" in trained["note"]


def test_filter_uses_classifier(trained):
    flt = TextSafetyFilter(TextSafetyConfig(classifier_path=trained["output_path"], classifier_threshold=0.8))
    unsafe = "扫码进群领私密视频"
    assert flt.match(unsafe) is None  # not in the lexicon
    verdict = apply(flt, {"title": unsafe})
    assert verdict.scores["safety_term"] is None
    assert verdict.scores["safety_prob"] >= 0.8
    assert verdict.reason.startswith("text classifier p=") and verdict.reason.endswith(">= 0.80")

    safe = ["家常红烧肉做法教程", "篮球比赛精彩瞬间", "钢琴演奏完整版"]
    scores = flt.score_batch([{"title": t} for t in safe])
    assert all(isinstance(s["safety_prob"], float) and s["safety_prob"] < 0.5 for s in scores)
    assert all(flt.decide(s) is None for s in scores)

    # the lexicon still wins and is reported first
    verdict = apply(flt, {"title": "网络赌博 扫码进群"})
    assert verdict.reason == 'unsafe term "网络赌博" (gambling)'


def test_unsafe_labels_must_exist(trained):
    with pytest.raises(ValueError, match="unsafe_labels"):
        TextSafetyFilter(TextSafetyConfig(classifier_path=trained["output_path"], unsafe_labels=["spam"]))
    flt = TextSafetyFilter(TextSafetyConfig(classifier_path=trained["output_path"], unsafe_labels=["__label__unsafe"]))
    assert flt.score({"title": "加微信看私密福利资源"})["safety_prob"] > 0.8


def test_fasttext_format_and_quantize_path(tmp_path):
    lines = [f"__label__{'unsafe' if i % 2 else 'safe'} {'加 群 领 福 利' if i % 2 else '红 烧 肉 做 法'} {i}"
             for i in range(60)]
    data = tmp_path / "train.txt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert read_labelled(data)[0][1] in (["safe"], ["unsafe"])
    info = train_text_classifier(data, tmp_path / "m.ftz", dim=10, bucket=20_000, min_quantize_examples=0,
                                 epoch=10)
    assert (tmp_path / "m.ftz").is_file()
    assert info["quantized"] or "quantisation failed" in info["note"]
    assert info["n_train"] == 54 and info["n_valid"] == 6


def test_dim_must_be_multiple_of_ten(tmp_path):
    with pytest.raises(ValueError, match="multiple of 10"):
        train_text_classifier(_write_csv(tmp_path / "t.csv", n=40), tmp_path / "m.bin", dim=16)


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        train_text_classifier(tmp_path / "nope.csv", tmp_path / "m.bin")


def test_empty_file(tmp_path):
    (tmp_path / "e.csv").write_text("\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="empty"):
        train_text_classifier(tmp_path / "e.csv", tmp_path / "m.bin")


@pytest.mark.parametrize("content,match", [
    ("红烧肉做法\n篮球比赛集锦\n", "no labels"),
    ("title,category\n红烧肉,food\n", "no labels"),
    ("title,label\n红烧肉,\n", "no label"),
    ("title,label\n红烧肉,safe\n篮球,safe\n", "two distinct labels"),
    ("__label__safe 红烧肉\n篮球比赛\n", "without a __label__"),
])
def test_files_without_labels(tmp_path, content, match):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=match):
        train_text_classifier(path, tmp_path / "m.bin")
