from filters.normalize import comparison_text, normalize_title


def test_traditional_fullwidth_and_invisible_characters():
    title, converted = normalize_title("  這是\u200b一個 ＩＰＨＯＮＥ   開箱\ufeff視頻 ")
    assert title == "这是一个 IPHONE 开箱视频"
    assert converted


def test_simplified_is_not_flagged():
    assert normalize_title("今天做个红烧肉") == ("今天做个红烧肉", False)


def test_comparison_text_keeps_only_letters_and_digits():
    assert comparison_text("【王者荣耀】李白 连招（高清版）!") == "王者荣耀李白连招高清版"


def test_simplified_names_are_not_rewritten_by_phrase_conversion():
    assert normalize_title("沈思英的旅行日记") == ("沈思英的旅行日记", False)
    assert normalize_title("沈思英的旅行日記")[0] == "沉思英的旅行日记"  # Traditional input: OpenCC decides
    assert normalize_title("《奔跑吧》阿心神回覆") == ("《奔跑吧》阿心神回复", True)  # phrase-level Traditional
