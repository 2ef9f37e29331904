"""Title length and spam.

Length counts the letters and digits of the normalised title: each Chinese character, Latin letter and digit is 1;
whitespace, punctuation, symbols and emoji count 0 ("iPhone 15 开箱测评" = 12, "新年快乐！" = 4). Decoration
should neither make a 4-character title long enough nor push a 38-character one over 40; this matches how
Youku-mPLUG describes titles (mostly 5-35 characters). Spam patterns are contact bait and filler that never describe a video's content.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

import pyarrow as pa

from filters.normalize import comparison_text
from schemas.config import TitleQualityConfig

_URL = re.compile(r"https?://|www\.|[a-z0-9-]+\.(?:com|cn|net|org|cc|top|xyz|vip|me|tv|info|io|co)\b")
_PHONE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
_QQ = re.compile(r"(?:qq|扣扣|企鹅|q群|加q|q号)\s*(?:群|号)?\s*[:：]?\s*\d{5,11}")
_WECHAT = re.compile(
    r"(?:微信|weixin|wechat|薇信|威信|徽信|v信|vx|wx)\s*(?:号|群)?\s*[:：]?\s*[a-z0-9][a-z0-9_-]{4,19}"
    r"|加(?:微信|薇信|威信|v信|vx|wx|微|v)(?![a-z])")
_PHONE_SEPARATORS = re.compile(r"[\s\-_.()]")

SPAM_CODES = ("url", "phone", "qq", "wechat", "no_letters")


def spam_code(title: str) -> str | None:
    """Which contact/filler pattern a normalised title contains, or None."""
    low = title.lower()
    if _URL.search(low):
        return "url"
    if _PHONE.search(_PHONE_SEPARATORS.sub("", low)):
        return "phone"
    if _QQ.search(low):
        return "qq"
    if _WECHAT.search(low):
        return "wechat"
    if not any(ch.isalpha() for ch in title):
        return "no_letters"
    return None


_RUN = re.compile(r"(.)\1+")


def max_char_run(text: str, letters: str | None = None) -> int:
    """Longest run of one repeated character (ignoring spaces and punctuation between repeats); ``letters`` is
    ``comparison_text(text)`` where the caller has it already."""
    letters = comparison_text(text) if letters is None else letters
    if not letters:
        return 0
    return max((m.end() - m.start() for m in _RUN.finditer(letters)), default=1)


class TitleQualityFilter:
    stage = "title_quality"
    columns: tuple[tuple[str, pa.DataType], ...] = (
        ("title_chars", pa.int32()),
        ("title_max_run", pa.int32()),
        ("title_spam", pa.string()),
    )

    def __init__(self, config: TitleQualityConfig) -> None:
        self.config = config

    def score(self, record: Mapping[str, Any]) -> dict[str, Any]:
        title = record["title"]
        letters = comparison_text(title)
        return {
            "title_chars": len(letters),
            "title_max_run": max_char_run(title, letters),
            "title_spam": spam_code(title),
        }

    def decide(self, scores: Mapping[str, Any]) -> str | None:
        cfg = self.config
        chars = scores["title_chars"]
        if scores["title_spam"]:
            return f"spam: {scores['title_spam']}"
        if scores["title_max_run"] >= cfg.max_char_run:
            return f"spam: one character repeated {scores['title_max_run']} times"
        if chars < cfg.min_chars:
            return f"title has {chars} characters < {cfg.min_chars}"
        if chars > cfg.max_chars:
            return f"title has {chars} characters > {cfg.max_chars}"
        return None
