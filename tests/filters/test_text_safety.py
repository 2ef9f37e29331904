import time
from collections import Counter

import opencc
import pytest

from filters.base import apply
from filters.text_safety import DEFAULT_LEXICON, TextSafetyFilter, read_lexicon, squeeze
from pipeline.config import TextSafetyConfig

CATEGORIES = {"porn", "gambling", "drugs", "violence_terror", "fraud_illegal"}
T2S = opencc.OpenCC("t2s")


@pytest.fixture(scope="module")
def flt():
    return TextSafetyFilter(TextSafetyConfig())


def test_default_lexicon_categories_and_size():
    counts = Counter(category for category, _, _ in read_lexicon(DEFAULT_LEXICON))
    assert set(counts) == CATEGORIES | {"allow"}
    assert all(counts[c] >= 60 for c in CATEGORIES), counts


@pytest.mark.parametrize("title,category", [
    ("最新色情视频免费看", "porn"),
    ("同城约炮软件推荐", "porn"),
    ("日本AV女优排行榜", "porn"),
    ("网络赌场注册送彩金", "gambling"),
    ("百家乐必胜技巧分享", "gambling"),
    ("六合彩特码资料大全", "gambling"),
    ("棋牌充值秒到账", "gambling"),
    ("冰毒是怎么制作的", "drugs"),
    ("如何种植大麻", "drugs"),
    ("买K粉联系我", "drugs"),
    ("麻古和摇头丸的区别", "drugs"),
    ("教你制作炸弹", "violence_terror"),
    ("街头持刀砍人视频", "violence_terror"),
    ("枪支买卖联系方式", "violence_terror"),
    ("恐怖袭击现场", "violence_terror"),
    ("专业办假证", "fraud_illegal"),
    ("刷单返利日赚五百", "fraud_illegal"),
    ("代开发票联系电话", "fraud_illegal"),
    ("黑客接单改成绩", "fraud_illegal"),
    ("信用卡套现秒到账", "fraud_illegal"),
])
def test_every_category_caught(flt, title, category):
    verdict = apply(flt, {"title": title})
    assert verdict.scores["safety_category"] == category
    assert not verdict.keep
    assert verdict.reason == f'unsafe term "{verdict.scores["safety_term"]}" ({category})'
    assert verdict.scores["safety_prob"] is None  # no classifier configured


def test_longest_term_is_reported(flt):
    assert flt.match("网络赌博平台") == ("网络赌博", "gambling")
    assert flt.score({"title": "赌博"}) == {"safety_term": "赌博", "safety_category": "gambling",
                                            "safety_prob": None}


@pytest.mark.parametrize("title", ["赌 博", "赌*博", "赌.博", "赌-博", "赌\u200b博", "赌\u3000博", "【赌】【博】",
                                   "赌👉博", "赌\n博"])
def test_obfuscation_with_spaces_punctuation_symbols(flt, title):
    assert flt.match(title) == ("赌博", "gambling")


def test_latin_case_and_boundaries(flt):
    assert squeeze("Ａ Ｖ女优!") == "av女优"
    assert flt.match("看av女优") == ("AV女优", "porn")
    assert flt.match("吸k 粉") == ("K粉", "drugs")
    assert flt.match("PK粉丝大战") is None
    assert flt.match("4K粉色壁纸") is None


@pytest.mark.parametrize("traditional,category", [
    ("網路賭博平台推薦", "gambling"),
    ("販毒集團被抓", "drugs"),
    ("製作炸彈教學", "violence_terror"),
    ("專業辦假證", "fraud_illegal"),
    ("色情網站大全", "porn"),
])
def test_traditional_titles_after_pipeline_t2s(flt, traditional, category):
    assert flt.match(T2S.convert(traditional))[1] == category


def test_allow_list_avoids_false_positives(flt):
    assert flt.match("大麻") == ("大麻", "drugs")
    for benign in ["老北京大麻花的做法", "这下有大麻烦了", "加大麻辣烫里的辣椒", "鸦片战争的历史意义",
                   "骑马与砍杀2新手攻略", "新车震撼上市", "给孩子做爱吃的糖醋排骨", "每天刷单词半小时",
                   "微博彩蛋合集", "宣传销售技巧", "彩虹烟花秀", "夜色情侣打卡圣地"]:
        assert flt.match(benign) is None, benign
    # an allowed word only shields matches inside it
    assert flt.match("大麻花和大麻") == ("大麻", "drugs")


BENIGN = [
    "红烧肉的家常做法", "五分钟学会番茄炒蛋", "麻婆豆腐正宗做法", "麻辣香锅在家也能做", "天麻炖鸡汤的做法",
    "芝麻糊怎么做才香", "斗地主高手教你如何记牌", "麻将入门教程：胡牌规则详解", "四川麻将血战到底技巧",
    "王者荣耀新英雄上分攻略", "和平精英压枪技巧教学", "CSGO职业选手买枪经济分析", "原神新版本抽卡", "我的世界生存第10集",
    "英雄联盟S14总决赛集锦", "今日新闻联播要点", "央视新闻：台风登陆广东", "股市收评：沪指小幅上涨",
    "NBA季后赛湖人vs勇士", "中国女排夺冠瞬间", "奥运会射击比赛10米气步枪决赛", "射箭世界杯决赛", "欧冠半决赛进球集锦",
    "F1赛车摩纳哥站", "小猫咪第一次洗澡太可爱了", "金毛犬训练教程", "旅行vlog：云南大理洱海", "澳门威尼斯人酒店入住体验",
    "iPhone 16 Pro开箱评测", "Python编程入门第3集", "高考数学压轴题讲解", "每天背单词的方法",
    "健身房胸肌训练计划", "瑜伽入门十分钟", "广场舞教学《最炫民族风》", "宝宝辅食南瓜泥", "家庭装修避坑指南",
    "电影《流浪地球2》预告片", "周杰伦演唱会现场", "相声《卖吊票》", "历史上的今天：鸦片战争爆发",
    "春节联欢晚会小品合集", "黄山日出延时摄影", "黄河壶口瀑布", "拆弹专家2电影解说", "消防员灭火演练",
    "交警提醒雨天安全驾驶", "农村大叔抓泥鳅", "反诈宣传：警惕电信诈骗", "手机跑分对比测试", "4K超清风景壁纸",
    "异性交友注意事项", "出口交易会开幕", "搞笑气氛组上线", "蛋黄酥的做法", "冬奥会冰壶比赛精彩瞬间",
]


def test_benign_titles_are_kept(flt):
    assert len(BENIGN) >= 50
    hits = {title: flt.match(title) for title in BENIGN}
    assert {t: h for t, h in hits.items() if h} == {}
    assert all(apply(flt, {"title": t}).keep for t in BENIGN)


def test_user_lexicon_extends_default(tmp_path):
    user = tmp_path / "extra.tsv"
    user.write_text("# my terms\n"
                    "gambling\t賭狗群\n"          # Traditional, matched against simplified titles
                    "politics\t某敏感词\n"         # a new category
                    "drugs\t大麻\n"                # re-listing keeps working
                    "allow\t禁毒宣传大麻\n", encoding="utf-8")
    flt = TextSafetyFilter(TextSafetyConfig(lexicon_paths=[str(user)]))
    assert flt.match("快来加入赌狗群") == ("赌狗群", "gambling")
    assert flt.match("这是某 敏感 词") == ("某敏感词", "politics")
    assert flt.match("冰毒") == ("冰毒", "drugs")  # default still loaded
    assert flt.match("禁毒宣传大麻") is None

    only_user = TextSafetyFilter(TextSafetyConfig(lexicon_paths=[str(user)], use_default_lexicon=False))
    assert only_user.match("冰毒") is None
    assert only_user.match("赌狗群") == ("赌狗群", "gambling")


def test_allow_equal_to_term_disables_it(tmp_path):
    user = tmp_path / "off.tsv"
    user.write_text("allow\t传销\n", encoding="utf-8")
    flt = TextSafetyFilter(TextSafetyConfig(lexicon_paths=[str(user)]))
    assert flt.match("揭秘传销组织") is None
    assert flt.match("网络传销") == ("网络传销", "fraud_illegal")


@pytest.mark.parametrize("content", ["gambling 赌博\n", "Bad-Cat\t赌博\n", "gambling\t***\n"])
def test_bad_lexicon_lines_raise(tmp_path, content):
    bad = tmp_path / "bad.tsv"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="bad.tsv:1"):
        TextSafetyFilter(TextSafetyConfig(lexicon_paths=[str(bad)]))


def test_missing_lexicon_raises(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        TextSafetyFilter(TextSafetyConfig(lexicon_paths=[str(tmp_path / "nope.tsv")]))


def test_decide_from_stored_scores(flt):
    assert flt.decide({"safety_term": None, "safety_category": None, "safety_prob": None}) is None
    assert flt.decide({"safety_term": None, "safety_prob": float("nan")}) is None
    assert flt.decide({"safety_term": None, "safety_prob": 0.93}) == "text classifier p=0.93 >= 0.80"
    assert flt.decide({"safety_term": None, "safety_prob": 0.5}) is None
    assert [name for name, _ in flt.columns] == ["safety_term", "safety_category", "safety_prob"]


def test_empty_and_missing_titles(flt):
    assert flt.score_batch([{"title": ""}, {"title": None}, {}]) == [
        {"safety_term": None, "safety_category": None, "safety_prob": None}] * 3


def test_lexicon_matching_speed(flt):
    titles = [f"{t}{i}" for i in range(2000) for t in BENIGN[:25]] + ["网络赌博平台"] * 1000
    start = time.perf_counter()
    scores = flt.score_batch({"title": t} for t in titles)
    rate = len(titles) / (time.perf_counter() - start)
    assert sum(s["safety_term"] is not None for s in scores) == 1000
    assert rate > 50_000, rate  # ~400k/s on one core; loose bound for slow CI
