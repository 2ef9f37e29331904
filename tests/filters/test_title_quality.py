import pytest

from filters.base import apply
from filters.normalize import normalize_title
from filters.title_quality import TitleQualityFilter
from pipeline.config import TitleQualityConfig

F = TitleQualityFilter(TitleQualityConfig())


def check(raw):
    return apply(F, {"title": normalize_title(raw)[0]})


@pytest.mark.parametrize("title,why", [
    ("猫咪", "characters < 5"), ("这是一个非常非常长的标题" * 4, "> 40"), ("看完整版 www.abc.com", "url"),
    ("加我13812345678领取", "phone"), ("加我 138-1234-5678 领取", "phone"), ("QQ群123456789 福利", "qq"),
    ("加微信 abc12345 领福利", "wechat"), ("VX:abc_123 私聊", "wechat"), ("哈哈哈哈哈哈哈哈哈哈", "repeated"),
    ("！！！？？？", "no_letters"), ("😀😀😀😀😀😀", "no_letters"), ("1234567890", "no_letters"),
])
def test_rejects(title, why):
    verdict = check(title)
    assert not verdict.keep and why in verdict.reason


@pytest.mark.parametrize("title", ["iPhone 15 开箱测评", "NBA季后赛G7集锦", "哈哈哈笑死我了", "vlog｜我的周末日常",
                                   "２０２３年度总结"])
def test_keeps(title):
    assert check(title).keep


def test_counting_is_code_points_without_spaces():
    assert check("iPhone 15 开箱测评").scores["title_chars"] == 12
    assert check("新年快乐！").scores["title_chars"] == 4 and not check("新年快乐！").keep
