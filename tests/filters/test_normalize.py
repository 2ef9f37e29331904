from filters.normalize import comparison_text, normalize_title


def test_traditional_fullwidth_and_invisible_characters():
    title, converted, _ = normalize_title("  這是\u200b一個 ＩＰＨＯＮＥ   開箱\ufeff視頻 ")
    assert title == "这是一个 IPHONE 开箱视频"
    assert converted


def test_simplified_is_not_flagged():
    assert normalize_title("今天做个红烧肉") == ("今天做个红烧肉", False, 0)


def test_comparison_text_keeps_only_letters_and_digits():
    assert comparison_text("【王者荣耀】李白 连招（高清版）!") == "王者荣耀李白连招高清版"


def test_simplified_names_are_not_rewritten_by_phrase_conversion():
    assert normalize_title("沈思英的旅行日记") == ("沈思英的旅行日记", False, 0)
    assert normalize_title("沈思英的旅行日記")[0] == "沉思英的旅行日记"  # Traditional input: OpenCC decides
    assert normalize_title("《奔跑吧》阿心神回覆") == ("《奔跑吧》阿心神回复", True, 0)  # phrase-level Traditional


def test_control_characters_escapes_and_bidi_are_removed_and_counted():
    title, _, stripped = normalize_title("好看\x00的视频\x07合集\x1b[0m完整版")
    assert title == "好看的视频合集完整版" and stripped == 6
    title, _, stripped = normalize_title("\u202e好看的\u2066视频\u2069\x85合集\x9b完整版\u202c")
    assert title == "好看的视频 合集完整版" and stripped == 5
    assert normalize_title("第一行\n第二行\t第三行\u2028")[:2] == ("第一行 第二行 第三行", False)
    assert normalize_title("\x1b]0;标题\x07红烧肉")[0] == "红烧肉"  # an OSC sequence goes whole
