"""Title normalisation: one canonical Simplified-Chinese form that every later stage sees.

Order matters: NFKC first (full-width letters/digits become ASCII so spam patterns and counting see one form), then
invisible characters are removed (they are used to dodge keyword filters), then OpenCC Traditional->Simplified, then
whitespace collapses. The raw title is kept next to it in the ledger.

OpenCC's t2s converts phrases, and some of its phrases are also valid Simplified text (t2s turns the name
"沈思英" into "沉思英"). So t2s's output is taken only when the title is Traditional: one of its characters is
itself Traditional (changes under character-level t2s), or the whole title is unchanged by s2t (every character
is already in Traditional form, as in "阿心神回覆", whose change is phrase-level only). A Simplified title such as
"沈思英的旅行日记" fails both tests and is never rewritten.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from opencc import OpenCC

# Zero-width and other invisible format characters seen in scraped titles.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t() -> OpenCC:
    return OpenCC("s2t")


@lru_cache(maxsize=65536)
def _is_traditional_char(ch: str) -> bool:
    return _t2s().convert(ch) != ch


def normalize_title(raw: str) -> tuple[str, bool]:
    """Return (normalised title, whether it was written in Traditional characters and converted)."""
    text = unicodedata.normalize("NFKC", raw)
    text = _INVISIBLE.sub("", text)
    simplified = _t2s().convert(text)
    converted = simplified != text and (
        any(ord(ch) > 0x2E7F and _is_traditional_char(ch) for ch in text) or _s2t().convert(text) == text)
    return _SPACE.sub(" ", simplified if converted else text).strip(), converted


# Characters that carry no content for comparison: punctuation, symbols, separators, and emoji.
_COMPARE_DROP = re.compile(r"[\W_]+", re.UNICODE)


def comparison_text(title: str) -> str:
    """The form used for duplicate detection: lowercase, only letters and digits (brackets, spaces, emoji gone)."""
    return _COMPARE_DROP.sub("", title.lower())
