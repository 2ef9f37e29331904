import pytest

from filters.base import apply
from filters.language import LanguageFilter
from filters.normalize import normalize_title
from pipeline.config import LanguageConfig

F = LanguageFilter(LanguageConfig())


def verdict(raw):
    return apply(F, {"title": normalize_title(raw)[0]})


@pytest.mark.parametrize("title", ["iPhone 15 开箱测评", "NBA季后赛G7集锦", "今天做个红烧肉", "我の日常vlog",
                                   "周杰伦 Jay Chou - Mojito MV", "這是一個繁體標題的視頻", "王者荣耀S30赛季上分攻略",
                                   "【MV】BLACKPINK - How You Like That 官方MV 中字"])
def test_chinese_kept(title):
    v = verdict(title)
    assert v.keep, v.reason
    assert v.scores["lang_label"] and 0 <= v.scores["lang_prob"] <= 1


@pytest.mark.parametrize("title", ["東京で美味しいラーメンを食べてみた", "안녕하세요 여러분 오늘의 브이로그",
                                   "Best of Taylor Swift Live 2023 中字", "Как приготовить борщ дома",
                                   "Recette facile du gâteau au chocolat", "สอนทำอาหารไทยง่ายๆ", "How to fix a bike"])
def test_non_chinese_rejected(title):
    assert not verdict(title).keep
