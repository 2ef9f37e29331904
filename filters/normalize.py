"""Title normalisation: one canonical Simplified-Chinese form that every later stage sees.

Order matters: control characters go first (terminal escape sequences whole, C0/C1 controls, bidi overrides and
isolates: they garble terminals and reports and can reorder what a reviewer sees), and the count of removed
characters is recorded; then NFKC (full-width letters/digits become ASCII so spam patterns and counting see one
form), then invisible characters are removed (they are used to dodge keyword filters), then OpenCC
Traditional->Simplified, then whitespace (line breaks and tabs included) collapses. The raw title is kept next to it
in the ledger.

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
from typing import NamedTuple

from opencc import OpenCC

# ANSI/VT escape sequences (CSI, OSC, two-character escapes), then single C0/C1 controls (tab, line breaks and
# NEL become spaces instead), bidi embeddings, overrides, isolates and marks.
_ESCAPE = re.compile("(?:\x1b\\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|\x1b[@-_]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u061c\u200e\u200f\u202a-\u202e"
                      "\u2066-\u2069]")
_LINE_BREAK = re.compile("[\t\n\r\x85\u2028\u2029]")
# Zero-width and other invisible format characters seen in scraped titles.
_INVISIBLE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")
_SPACE = re.compile(r"\s+")


class Normalized(NamedTuple):
    title: str
    traditional: bool   # written in Traditional characters and converted
    stripped: int       # control, bidi and escape-sequence characters removed


def strip_controls(text: str) -> tuple[str, int]:
    """``text`` without escape sequences, control characters and bidi controls; and how many were removed."""
    cleaned = _CONTROL.sub("", _ESCAPE.sub("", text))
    return _LINE_BREAK.sub(" ", cleaned), len(text) - len(cleaned)


@lru_cache(maxsize=1)
def _t2s() -> OpenCC:
    return OpenCC("t2s")


@lru_cache(maxsize=1)
def _s2t() -> OpenCC:
    return OpenCC("s2t")


@lru_cache(maxsize=65536)
def _is_traditional_char(ch: str) -> bool:
    return _t2s().convert(ch) != ch


def normalize_title(raw: str) -> Normalized:
    """The normalised title, whether it was Traditional (and converted), and how many control characters went."""
    text, stripped = strip_controls(raw)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    simplified = _t2s().convert(text)
    converted = simplified != text and (
        any(ord(ch) > 0x2E7F and _is_traditional_char(ch) for ch in text) or _s2t().convert(text) == text)
    return Normalized(_SPACE.sub(" ", simplified if converted else text).strip(), converted, stripped)


# Characters that carry no content for comparison: punctuation, symbols, separators, and emoji.
_COMPARE_DROP = re.compile(r"[\W_]+", re.UNICODE)


def comparison_text(title: str) -> str:
    """The form used for duplicate detection: lowercase, only letters and digits (brackets, spaces, emoji gone)."""
    return _COMPARE_DROP.sub("", title.lower())
