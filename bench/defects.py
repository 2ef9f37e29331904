"""Titles with planted text defects: other languages, spam/filler, unsafe terms.

Why generated rather than listed: a filter tuned on a fixed list of examples can memorise them. Each defect is
drawn from templates and word lists, so the benchmark sees many distinct spellings of the same kind of problem.
"""
from __future__ import annotations

import random
import re

from opencc import OpenCC

from bench.titles import SLOT_RE, TitleMaker, compare_key, visible_len

# Foreign-language titles: language code -> (templates, pools). Slot syntax as in bench.titles.
_FOREIGN: dict[str, tuple[str, dict[str, str]]] = {
    "en": ("How to make {food} at home|{n} things to do in {city}|My morning routine as a {job}"
           "|I tried {food} in {city}|{city} travel vlog day {n}|Unboxing the new {thing}"
           "|Easy {food} recipe for beginners|Funny {pet} moments {n}|{team} vs {team} highlights"
           "|Is the {thing} worth it?|A day in my life in {city}|Best {thing} under {n}00 dollars",
           {"food": "pizza|pasta|ramen|pancakes|tacos|fried rice|burgers|sushi|cheesecake|curry|dumplings",
            "city": "Paris|London|Tokyo|New York|Rome|Bali|Seoul|Dubai|Sydney|Berlin|Lisbon|Toronto",
            "job": "nurse|chef|teacher|programmer|student|pilot|barista|designer",
            "thing": "phone|laptop|camera|drone|headphones|smartwatch|keyboard|tablet|e-bike",
            "pet": "cat|puppy|corgi|parrot|hamster|golden retriever",
            "team": "Lakers|Warriors|Celtics|Arsenal|Chelsea"}),
    "ja": ("{place}で{food}を食べてみた|{food}の作り方【簡単レシピ】|初めての{thing}に挑戦してみた"
           "|{place}旅行{n}日目：{spot}へ行ってきた|【{tag}】{place}の{spot}を歩く|猫と{thing}の日常"
           "|{thing}を買ってみた結果|{place}の{spot}で{food}",
           {"place": "東京 大阪 京都 北海道 沖縄 名古屋 福岡 横浜 奈良 神戸 箱根 金沢",
            "food": "ラーメン 寿司 天ぷら カレー うどん 焼肉 たこ焼き お好み焼き 唐揚げ そば 餃子 親子丼",
            "thing": "キャンプ 料理 釣り ダイエット 筋トレ 一人旅 新しいカメラ 自転車 家庭菜園",
            "spot": "商店街 神社 夜景 温泉街 市場 公園 古い町並み", "tag": "旅行 料理 日常 検証 解説 初心者向け"}),
    "ko": ("{place} 여행 브이로그|{food} 만드는 법|오늘의 {thing} 리뷰|{place}에서 {food} 먹방"
           "|{n}일 동안 {thing} 해봤어요|우리 집 {pet} 일상|{place} 맛집 {food} 후기",
           {"place": "서울 부산 제주도 강릉 전주 경주 인천 대구 여수",
            "food": "김치찌개 떡볶이 삼겹살 비빔밥 냉면 치킨 라면 김밥 불고기",
            "thing": "캠핑 운동 다이어트 요리 공부 노트북 게임", "pet": "고양이 강아지 햄스터 토끼"}),
    "ru": ("Как приготовить {food} дома|Путешествие в {city_acc}: день {n}|Обзор {thing}"
           "|Рецепт: {food} за {n} минут|Смешные {pet} подборка {n}|{city} за {n} дня: что посмотреть"
           "|Мой день в {city_pre}",
           {"food": "борщ блины пельмени плов сырники шашлык пирожки",
            "city_acc": "Москву Казань Сочи Петербург Мурманск",
            "city": "Москва Казань Сочи Калининград Владивосток", "city_pre": "Москве Казани Сочи Петербурге",
            "thing": "телефона ноутбука наушников камеры велосипеда", "pet": "котики собаки попугаи хомяки"}),
    "fr": ("Recette facile : {food} maison|Visite de {city} en {n} jours|Test du nouveau {thing}"
           "|On a testé {food} à {city}|Les {n} meilleurs endroits de {city}|Ma journée type à {city}",
           {"food": "crêpes|ratatouille|croissants|quiche lorraine|tarte aux pommes|soupe à l'oignon|madeleines",
            "city": "Paris|Lyon|Marseille|Nice|Bordeaux|Lille|Strasbourg|Toulouse",
            "thing": "téléphone|vélo électrique|appareil photo|casque audio|robot cuiseur"}),
    "es": ("Cómo hacer {food} en casa|Viaje a {city}: día {n}|Probando {food} en {city}"
           "|Los {n} mejores lugares de {city}|Mi {pet} reacciona a {thing}|Receta fácil de {food}",
           {"food": "paella|tortilla de patatas|churros|tacos al pastor|gazpacho|empanadas|arepas|ceviche",
            "city": "Madrid|Barcelona|Sevilla|Valencia|México|Buenos Aires|Bogotá|Lima",
            "pet": "gato|perro|loro|conejo", "thing": "la aspiradora|un pepino|la nieve|mi guitarra"}),
    "de": ("Wie man {food} selber macht|Urlaub in {city}: Tag {n}|Die {n} besten Tipps für {thing}"
           "|Wir testen {thing}|Mein erster Tag als {job}|Unterwegs in {city} mit dem Zug",
           {"food": "Apfelstrudel Brezeln Schnitzel Käsespätzle Currywurst Sauerbraten Kartoffelsalat",
            "city": "Berlin München Hamburg Köln Wien Zürich Dresden Leipzig",
            "thing": "Kaffeemaschinen E-Bikes Zelte Laufschuhe Kopfhörer", "job": "Koch Lehrer Pfleger Bäcker Pilot"}),
    "vi": ("Cách làm {food} ngon tại nhà|Du lịch {city} {n} ngày|Thử ăn {food} ở {city}"
           "|Một ngày của tôi ở {city}|Đánh giá {thing} sau {n} tháng|Hướng dẫn nấu {food}",
           {"food": "phở bò|bánh mì|bún chả|cơm tấm|bánh xèo|gỏi cuốn|bún bò Huế|chè ba màu",
            "city": "Hà Nội|Đà Nẵng|Hội An|Sài Gòn|Đà Lạt|Nha Trang|Huế|Sapa",
            "thing": "điện thoại|tai nghe|máy ảnh|xe điện"}),
    "th": ("วิธีทำ{food}ง่ายๆ|เที่ยว{city} {n} วัน|กิน{food}ที่{city}|รีวิว{thing}หลังใช้ {n} เดือน|สอนทำ{food}แบบง่าย",
           {"food": "ต้มยำกุ้ง ผัดไทย ส้มตำ ข้าวมันไก่ แกงเขียวหวาน ข้าวเหนียวมะม่วง",
            "city": "เชียงใหม่ ภูเก็ต กรุงเทพ พัทยา กระบี่ หัวหิน", "thing": "มือถือ หูฟัง กล้อง โน้ตบุ๊ก"}),
    "ar": ("طريقة عمل {food} في البيت|رحلة إلى {city} اليوم {n}|تجربة {food} في {city}|أفضل {n} أماكن في {city}"
           "|مراجعة {thing} الجديد|يوم في حياتي في {city}",
           {"food": "الكبسة الفلافل الحمص الشاورما الكنافة المنسف الملوخية",
            "city": "دبي القاهرة الرياض مراكش عمان بيروت الدوحة", "thing": "الهاتف الحاسوب الكاميرا"}),
}
LANGUAGES: tuple[str, ...] = tuple(_FOREIGN)
_FOREIGN_POOLS = {lang: {k: v.split("|") if "|" in v else v.split() for k, v in pools.items()}
                  for lang, (_, pools) in _FOREIGN.items()}


def foreign_title(lang: str, rng: random.Random) -> str:
    """A realistic non-Chinese video title in ``lang`` (5-40 characters)."""
    templates, pools = _FOREIGN[lang][0].split("|"), _FOREIGN_POOLS[lang]
    while True:
        title = SLOT_RE.sub(lambda m: str(rng.randint(2, 12)) if m.group(1) == "n" else rng.choice(pools[m.group(1)]),
                            rng.choice(templates))
        if 5 <= visible_len(title) <= 40:
            return title


# ---------------------------------------------------------------- title quality
_SHORT = "猫咪 好看 搞笑 日常 美食 视频 精彩 无题 测试 分享 记录 第一集 来了 转发 好玩 牛 绝了 哈哈 看看 新年快乐".split()
_DOMAINS = "xxx kan8 video88 hd-movie tv520 free-vip 91kan yyds666 jubao dy123".split()
_SYMBOLS = ("！？。~…", "！？", "😀🎉👍🔥😂", "0123456789", "。，、；", "★☆♥♦", "~-=+*#")


def quality_title(kind: str, maker: TitleMaker) -> str:
    """A title the title-quality stage must reject, of the given kind (tq_*)."""
    rng = maker.rng

    def short() -> str:
        """A clean lead-in: spam bait usually rides on an ordinary-looking title."""
        return maker.clean(maker.category(), lo=6, hi=16)

    if kind == "tq_too_short":
        word = rng.choice(_SHORT)
        return word + rng.choice(("！", "~")) if len(word) < 4 and rng.random() < 0.3 else word
    if kind == "tq_too_long":
        while True:
            title = "，".join(maker.clean(maker.category()) for _ in range(rng.randint(3, 5)))
            if len(compare_key(title)) > 45 and visible_len(title) <= 200:  # well over 40 however it is counted
                return title
    if kind == "tq_url":
        dom = rng.choice(_DOMAINS) + str(rng.randint(1, 999))
        url = rng.choice((f"www.{dom}.com", f"http://{dom}.cn/v/{rng.randint(100, 99999)}", f"https://t.cn/{dom}",
                          f"{dom}.top", f"www.{dom}.net"))
        return rng.choice((f"看完整版 {url}", f"{short()} 完整版见{url}", f"{short()}，高清资源 {url}"))
    if kind == "tq_phone":
        phone = f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}"
        return rng.choice((f"加我{phone}领取{rng.choice(('资料', '福利', '教程', '优惠券'))}", f"{short()} 咨询电话{phone}",
                           f"{short()}，联系{phone[:3]} {phone[3:7]} {phone[7:]}"))
    if kind == "tq_qq":
        qq = str(rng.randint(10_000_000, 2_999_999_999))
        return rng.choice((f"QQ群{qq}", f"{short()} 加QQ：{qq}", f"{short()}，扣扣{qq}", f"资源在q群{qq}"))
    if kind == "tq_wechat":
        wx = rng.choice("abcdefghjkmnpqrstwxyz") + "".join(rng.choice("abcdefghjkmnpqrstuvwxyz0123456789")
                                                          for _ in range(rng.randint(5, 10)))
        return rng.choice((f"加微信 {wx} 领福利", f"VX:{wx}", f"{short()} 薇信{wx}", f"{short()}，wx：{wx}",
                           f"{short()} 加v看完整版"))
    if kind == "tq_repeat":
        return rng.choice("哈啊呜嘿呵嗯哇顶赞6") * rng.randint(10, 18)
    if kind == "tq_symbols":
        base = rng.choice(_SYMBOLS)
        return "".join(rng.choice(base) for _ in range(rng.randint(5, 14)))
    raise ValueError(kind)


# ---------------------------------------------------------------- text safety
_S2T = OpenCC("s2t")


def s2t(text: str) -> str:
    """Simplified -> Traditional Chinese (OpenCC), as Taiwan/Hong Kong uploads write titles."""
    return _S2T.convert(text)


UNSAFE_TERMS: dict[str, tuple[str, ...]] = {
    "porn": ("色情", "黄色视频", "裸聊", "约炮", "AV女优"),
    "gambling": ("赌博", "网络赌场", "百家乐", "六合彩", "时时彩"),
    "drugs": ("冰毒", "海洛因", "大麻", "摇头丸", "K粉"),
    "violence_terror": ("恐怖袭击", "制作炸弹", "砍人", "爆炸物"),
    "fraud_illegal": ("办假证", "刷单返利", "代开发票", "黑客接单", "高利贷"),
}
ALL_UNSAFE: tuple[str, ...] = tuple(t for terms in UNSAFE_TERMS.values() for t in terms)
_UNSAFE_RE = re.compile("|".join(re.escape(compare_key(t)) for t in ALL_UNSAFE))
_BAIT = ("{t}", "【{t}】", "{t}教程", "揭秘{t}", "{t}资源", "免费{t}", "{t}内幕", "{t}渠道")
_TRAD_TERMS = tuple(t for t in ALL_UNSAFE if s2t(t) != t)


def has_unsafe(title: str) -> bool:
    """Whether a (Simplified) title carries one of the planted unsafe terms, however punctuated."""
    return _UNSAFE_RE.search(compare_key(title)) is not None


def unsafe_title(kind: str, maker: TitleMaker) -> str:
    """An otherwise clean title carrying one unsafe term: plain, obfuscated (赌 博, 赌*博) or in Traditional form."""
    rng = maker.rng
    term = rng.choice(_TRAD_TERMS if kind == "unsafe_traditional" else ALL_UNSAFE)
    if kind == "unsafe_obfuscated":
        sep = rng.choice((" ", "*", "-", ".", "_", "·", "/", "~"))
        term = sep.join(term) if rng.random() < 0.7 else "".join(c + rng.choice(" *.·") for c in term[:-1]) + term[-1]
    bait = rng.choice(_BAIT).format(t=term)
    while True:
        base = maker.clean(maker.category(), lo=6, hi=24)
        title = rng.choice((f"{base}，{bait}", f"{bait} {base}", f"{base}｜{bait}"))
        if visible_len(title) <= 40:
            break
    if kind == "unsafe_traditional":
        title = s2t(title) if rng.random() < 0.5 else title.replace(term, s2t(term))
    return title
