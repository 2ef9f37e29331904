"""The 45-class Youku-mPLUG category taxonomy.

Inputs name a category either by its Chinese name (as in the released classification CSV), its English name, or its
numeric id; everything downstream uses the Chinese name so that ledgers from different inputs agree.
"""
from __future__ import annotations

CATEGORIES: tuple[tuple[int, str, str], ...] = (
    (0, "翻唱", "Cover Singing"),
    (1, "电视剧剪辑", "TV Drama Editing"),
    (2, "电视剧周边（预告/杂谈）", "TV Drama (Trailer/Discussion)"),
    (3, "财经", "Finance & Economics"),
    (4, "美发美妆", "Hair & Makeup"),
    (5, "萌娃日常", "Cute Children Daily Life"),
    (6, "传统文化", "Traditional Culture"),
    (7, "少儿动漫", "Children's Animation"),
    (8, "医疗健康", "Medical & Health"),
    (9, "亲子育儿", "Parenting"),
    (10, "养生保健", "Health Preservation"),
    (11, "电影周边（预告/杂谈）", "Movie (Trailer/Discussion)"),
    (12, "篮球", "Basketball"),
    (13, "日常生活", "Daily Life"),
    (14, "搞笑", "Comedy"),
    (15, "少儿才艺", "Children's Talent"),
    (16, "街舞", "Hip Hop Dance"),
    (17, "广场舞", "Square Dance"),
    (18, "学历教育", "Education"),
    (19, "房产装修", "Real Estate & Renovation"),
    (20, "美食制作", "Food Making"),
    (21, "竞技体育", "Sports"),
    (22, "相声小品", "Xiangsheng & Sketch"),
    (23, "MV", "Music Video"),
    (24, "穿搭", "Outfit"),
    (25, "科技", "Technology"),
    (26, "健身", "Fitness"),
    (27, "家居装饰", "Home Decoration"),
    (28, "纪录片", "Documentary"),
    (29, "三农", "Agriculture, Rural Areas & Farmers"),
    (30, "职业职场", "Workplace"),
    (31, "游戏", "Game"),
    (32, "乐器演奏", "Musical Instruments"),
    (33, "综艺", "TV Show"),
    (34, "电影剪辑", "Movie Editing"),
    (35, "美容护肤", "Skincare & Beauty"),
    (36, "宠物", "Pet"),
    (37, "生活百科", "Life Encyclopedia"),
    (38, "旅游", "Travel"),
    (39, "足球", "Football"),
    (40, "汽车", "Car"),
    (41, "动漫", "Animation"),
    (42, "少儿玩具", "Children's Toys"),
    (43, "科学科普", "Popular Science"),
    (44, "美食测评", "Food Review"),
)

NAMES: tuple[str, ...] = tuple(name for _, name, _ in CATEGORIES)

_LOOKUP: dict[str, str] = {}
for _id, _zh, _en in CATEGORIES:
    for _alias in (str(_id), _zh, _en, _en.lower()):
        _LOOKUP[_alias] = _zh
    # Traditional/half-width variants of the bracketed names, as they appear in some exports.
    _LOOKUP[_zh.replace("（", "(").replace("）", ")")] = _zh


def canonical_category(value: object) -> str | None:
    """Chinese category name for an id, Chinese or English name; None when the value is not in the taxonomy."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    key = str(value).strip()
    return _LOOKUP.get(key) or _LOOKUP.get(key.lower())
