import csv
import random

import numpy as np
import pytest

from filters.base import apply
from filters.category_check import (CategoryCheckFilter, CategoryConfig, category_outcome, read_category_csv,
                                    train_category_classifier)
from schemas.taxonomy import NAMES
from tests.filters.test_visual_safety import FakeEncoder, frames_near, unit

TEMPLATE = CategoryConfig().prompt_template
KEYWORDS = {
    "篮球": ["篮球", "扣篮", "三分球", "NBA", "詹姆斯", "CBA", "灌篮", "篮板"],
    "美食制作": ["红烧肉", "家常菜", "做法", "炒饭", "烘焙", "蛋糕", "饺子", "下厨"],
    "宠物": ["猫咪", "狗狗", "柯基", "铲屎官", "喵星人", "金毛", "仓鼠", "萌宠"],
    "游戏": ["王者荣耀", "原神", "吃鸡", "通关", "攻略", "英雄联盟", "手游", "副本"],
    "汽车": ["新车", "试驾", "SUV", "发动机", "油耗", "宝马", "提车", "变速箱"],
}
TAILS = ["精彩瞬间", "教程", "日常", "合集", "第一期", "全程", "视频", "分享"]


def title_for(category, rng):
    a, b = rng.sample(KEYWORDS[category], 2)
    return a + b + rng.choice(TAILS)


def write_csv(path, n=300, seed=0, youku=True):
    rng = random.Random(seed)
    cats = list(KEYWORDS)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["video_id:FILE", "title", "label"] if youku else ["title", "label"])
        for i in range(n):
            cat = cats[i % len(cats)]
            row = [title_for(cat, rng), cat]
            writer.writerow([f"videos/cls/{i:05d}.mp4", *row] if youku else row)
    return path


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("category")
    report = train_category_classifier(write_csv(tmp / "train.csv"), tmp / "category.bin",
                                       epoch=25, lr=0.5, dim=20, bucket=20_000)
    assert report["labels"] == sorted(KEYWORDS) and report["accuracy"] >= 0.9
    return str(tmp / "category.bin")


@pytest.fixture(scope="module")
def encoder():
    return FakeEncoder()


@pytest.fixture(scope="module")
def both(model_path, encoder):
    return CategoryCheckFilter(CategoryConfig(classifier_path=model_path), encoder)


def video(encoder, *categories, seed=0):
    """Frame embeddings near the mean of the named categories' prompt vectors (one name: near that prompt)."""
    target = unit(np.mean([encoder.vector(TEMPLATE.format(name=c)) for c in categories], axis=0))
    return frames_near(target, seed=seed)


def record(encoder, category, title, *looks_like, seed=0):
    return {"category": category, "title": title, "frame_embeddings": video(encoder, *looks_like, seed=seed)}


def test_text_opinion(both):
    probs = both.text_probs(["詹姆斯扣篮精彩瞬间", "柯基狗狗日常", "试驾宝马SUV", ""])
    assert [NAMES[int(np.argmax(p))] for p in probs[:3]] == ["篮球", "宠物", "汽车"]
    assert all(p.max() >= 0.5 for p in probs[:3]) and probs[3] is None


def test_verified_by_both(both, encoder):
    verdict = apply(both, record(encoder, "篮球", "NBA三分球合集", "篮球"))
    assert verdict.keep and verdict.stage == "category"
    s = verdict.scores
    assert s["category_outcome"] == "verified" and s["category_new"] is None
    assert s["category_clip_top"] == s["category_text_top"] == "篮球"
    assert s["category_clip_prob"] > 0.9 and s["category_label_clip_prob"] == s["category_clip_prob"]
    assert set(s) == {name for name, _ in both.columns}


def test_verified_by_one_top1(both, encoder):
    s = both.score(record(encoder, "篮球", "扣篮灌篮精彩瞬间", "足球"))  # CLIP says football, the title basketball
    assert s["category_clip_top"] == "足球" and s["category_text_top"] == "篮球"
    assert s["category_outcome"] == "verified" and s["category_label_clip_prob"] < 0.01


def test_relabelled_when_both_agree_elsewhere(both, encoder):
    verdict = apply(both, record(encoder, "宠物", "红烧肉家常菜做法", "美食制作"))
    s = verdict.scores
    assert verdict.keep and s["category_outcome"] == "relabelled" and s["category_new"] == "美食制作"
    assert s["category_clip_prob"] >= 0.5 and s["category_text_prob"] >= 0.5


def test_review_when_opinions_disagree(both, encoder):
    verdict = apply(both, record(encoder, "宠物", "王者荣耀通关攻略", "汽车"))
    assert verdict.scores["category_outcome"] == "review" and verdict.scores["category_new"] is None
    assert not verdict.keep
    assert '"汽车"' in verdict.reason and '"游戏"' in verdict.reason and "p(label)" in verdict.reason


def test_review_when_agreed_class_is_not_confident(both, encoder):
    # CLIP splits between 汽车 and 游戏 (~0.5 each, just under or over); raise the bar so it is not confident
    flt = CategoryCheckFilter(CategoryConfig(classifier_path=both.config.classifier_path, min_confidence=0.7),
                              encoder)
    s = flt.score(record(encoder, "宠物", "王者荣耀通关攻略", "汽车", "游戏"))
    assert s["category_clip_prob"] < 0.7 and s["category_outcome"] == "review"


def test_unlabelled_gets_a_suggestion(both, encoder):
    s = apply(both, record(encoder, None, "试驾新车油耗", "汽车")).scores
    assert s["category_outcome"] == "unlabelled" and s["category_new"] == "汽车"
    assert s["category_label_clip_prob"] is None
    s = both.score(record(encoder, "", "试驾新车油耗", "宠物"))
    assert s["category_outcome"] == "unlabelled" and s["category_new"] is None
    assert both.decide(s) is None


def test_text_abstains_on_unknown_label(both, encoder):
    s = both.score(record(encoder, "足球", "扣篮灌篮精彩瞬间", "足球"))  # the classifier never saw 足球
    assert s["category_text_top"] is None and s["category_outcome"] == "verified"


def test_label_aliases_are_canonicalised(both, encoder):
    assert both.score(record(encoder, "Basketball", "NBA扣篮", "篮球"))["category_outcome"] == "verified"
    assert both.score(record(encoder, 12, "NBA扣篮", "篮球"))["category_outcome"] == "verified"


def test_clip_alone_is_stricter(encoder):
    flt = CategoryCheckFilter(CategoryConfig(), encoder)
    assert flt.score(record(encoder, "宠物", "", "汽车"))["category_outcome"] == "relabelled"  # p ~1 >= 0.8
    s = flt.score(record(encoder, "宠物", "", "汽车", "游戏"))  # ~0.5 / 0.5: not enough alone
    assert s["category_text_top"] is None and s["category_outcome"] == "review"
    s = flt.score(record(encoder, "游戏", "", "汽车", "游戏"))  # the label is one of the top two
    assert s["category_outcome"] == "verified"
    assert flt.score(record(encoder, None, "", "汽车", "游戏"))["category_new"] is None


def test_outcome_rules_on_distributions():
    cfg = CategoryConfig()

    def dist(**probs):
        d = np.full(len(NAMES), 1e-4)
        for name, p in probs.items():
            d[NAMES.index(name)] = p
        return d

    clip, text = dist(足球=0.6, 篮球=0.3), dist(游戏=0.55, 篮球=0.4)
    assert category_outcome("篮球", clip, text, cfg) == ("verified", None)  # top-k of both, p >= 0.1
    assert category_outcome("篮球", clip, dist(游戏=0.9, 篮球=0.05), cfg) == ("review", None)
    assert category_outcome("宠物", dist(足球=0.6), dist(足球=0.6), cfg) == ("relabelled", "足球")
    assert category_outcome("宠物", dist(足球=0.6), dist(足球=0.45), cfg) == ("review", None)
    assert category_outcome("宠物", dist(足球=0.6), None, cfg) == ("review", None)  # one opinion needs 0.8
    assert category_outcome("宠物", None, dist(足球=0.85), cfg) == ("relabelled", "足球")
    assert category_outcome(None, dist(足球=0.6), None, cfg) == ("unlabelled", None)
    assert category_outcome("宠物", None, None, cfg) == (None, None)


def test_prompts_embedded_once_and_no_opinion():
    enc = FakeEncoder()
    flt = CategoryCheckFilter(CategoryConfig(), enc)
    flt.score_batch([record(enc, "篮球", "x", "篮球", seed=i) for i in range(3)])
    assert enc.calls == 1 and flt.prompt_embeddings.shape == (45, enc.dim)
    verdict = apply(flt, {"category": "篮球", "title": "NBA"})  # no frames, no classifier
    assert verdict.keep and all(v is None for v in verdict.scores.values())


def test_configuration_errors(tmp_path):
    with pytest.raises(ValueError, match="encoder"):
        CategoryCheckFilter(CategoryConfig())
    with pytest.raises(ValueError, match="not found"):
        CategoryCheckFilter(CategoryConfig(classifier_path=str(tmp_path / "none.bin")))
    flt = CategoryCheckFilter(CategoryConfig(), FakeEncoder())
    with pytest.raises(ValueError, match="dim"):
        flt.score({"category": "篮球", "frame_embeddings": np.ones((2, 3), np.float32)})


def test_read_category_csv(tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("title,label\n篮球比赛,12\n做菜,Food Making\n\n电视剧,电视剧周边(预告/杂谈)\n", encoding="utf-8")
    assert read_category_csv(path) == [("篮球比赛", "篮球"), ("做菜", "美食制作"), ("电视剧", "电视剧周边（预告/杂谈）")]
    path.write_text("title,label\n篮球比赛,体育\n", encoding="utf-8")
    with pytest.raises(ValueError, match="row 2"):
        read_category_csv(path)
    path.write_text("video_id:FILE,caption\na.mp4,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="title,label"):
        read_category_csv(path)
