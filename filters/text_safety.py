"""Text safety: an unsafe-term lexicon (Aho-Corasick) plus an optional fastText title classifier.

Matching runs on a *squeezed* title: the pipeline's normalised title (NFKC + OpenCC t2s), lower-cased, with every
character that is not a letter or digit removed (whitespace, punctuation, symbols, zero-width and other format
characters), so "赌 博", "赌*博" and "赌<U+200B>博" all match 赌博. Lexicon terms go through NFKC, OpenCC t2s and the
same squeeze when loaded, so user lexicons may be written in Traditional Chinese. ``allow`` entries name benign words
containing an unsafe term (大麻花 ⊃ 大麻): a match lying fully inside an allowed occurrence is ignored. Terms that
begin or end with an ASCII letter/digit only match at a Latin word boundary of the squeezed text (K粉 vs PK粉丝).
See ``filters/data/safety_lexicon.tsv`` for the file format.
"""
from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Mapping

import ahocorasick
import pyarrow as pa

from filters.text_classifier import LABEL_PREFIX, tokenize_for_fasttext
from schemas.config import TextSafetyConfig
from filters.remote_files import local_copy

DEFAULT_LEXICON = Path(__file__).resolve().parent / "data" / "safety_lexicon.tsv"
ALLOW = "allow"
_NON_WORD = re.compile(r"[\W_]+")
_CATEGORY = re.compile(r"[a-z][a-z0-9_]*")

_t2s = None


def _to_simplified(text: str) -> str:
    global _t2s
    if _t2s is None:
        import opencc
        _t2s = opencc.OpenCC("t2s")
    return _t2s.convert(text)


def squeeze(text: str | None) -> str:
    """Lower-case and keep only letters and digits: the form both titles and lexicon terms are matched in."""
    if not text:
        return ""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


def read_lexicon(path: str | Path) -> list[tuple[str, str, str]]:
    """(category, display term, squeezed key) per entry; category ``allow`` marks a benign word."""
    path = Path(local_copy(path))
    if not path.is_file():
        raise ValueError(f"text_safety lexicon not found: {path}")
    entries = []
    for lineno, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        category, sep, term = line.partition("\t")
        category, term = category.strip(), term.strip()
        if not sep or not term:
            raise ValueError(f"{path}:{lineno}: expected 'category<TAB>term', got {raw!r}")
        if not _CATEGORY.fullmatch(category):
            raise ValueError(f"{path}:{lineno}: bad category {category!r} (lower-case letters, digits, '_')")
        display = _to_simplified(unicodedata.normalize("NFKC", term))
        key = squeeze(display)
        if not key:
            raise ValueError(f"{path}:{lineno}: term {term!r} has no letters or digits")
        entries.append((category, display, key))
    return entries


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii()  # squeezed text holds only letters and digits


class TextSafetyFilter:
    """Rejects titles containing a lexicon term, or scored unsafe by the optional fastText classifier."""

    stage = "text_safety"
    columns = (("safety_term", pa.string()), ("safety_category", pa.string()), ("safety_prob", pa.float32()))

    def __init__(self, config: TextSafetyConfig | None = None) -> None:
        self.config = config = config or TextSafetyConfig()
        paths = ([DEFAULT_LEXICON] if config.use_default_lexicon else []) + [p for p in config.lexicon_paths]
        terms: dict[str, tuple[str, str]] = {}  # key -> (display, category); a later file overrides
        allowed: set[str] = set()
        for path in paths:
            for category, display, key in read_lexicon(path):
                if category == ALLOW:
                    allowed.add(key)
                else:
                    terms[key] = (display, category)
        self.n_terms, self.n_allowed = len(terms), len(allowed)
        self._automaton = ahocorasick.Automaton()
        for key in terms.keys() | allowed:
            display, category = terms.get(key, (None, None))
            self._automaton.add_word(key, (len(key), display, category, key in allowed,
                                           key[0].isascii(), key[-1].isascii()))
        self._automaton.make_automaton()
        self._model = None
        self._unsafe_labels: frozenset[str] = frozenset()
        if config.classifier_path:
            self._load_classifier(config.classifier_path)

    def _load_classifier(self, path: str) -> None:
        import fasttext
        path = local_copy(path)
        if not Path(path).is_file():
            raise ValueError(f"text_safety.classifier_path not found: {path}")
        self._model = fasttext.load_model(str(path))
        wanted = {label if label.startswith(LABEL_PREFIX) else LABEL_PREFIX + label
                  for label in self.config.unsafe_labels}
        known = set(self._model.labels)
        if not wanted & known:
            raise ValueError(f"text_safety.unsafe_labels {sorted(self.config.unsafe_labels)} match none of the "
                             f"classifier's labels {sorted(known)}")
        self._unsafe_labels = frozenset(wanted & known)

    def match(self, title: str | None) -> tuple[str, str] | None:
        """(term, category) of the longest (then earliest) unsafe match not inside an allowed word, or None."""
        text = squeeze(title)
        if not text or self.n_terms == 0:
            return None
        hits, allows = [], []
        for end, (length, display, category, allowed, ascii_start, ascii_end) in self._automaton.iter(text):
            start = end - length + 1
            if allowed:
                allows.append((start, end))
            if category is None:
                continue
            if ascii_start and start > 0 and _is_ascii_alnum(text[start - 1]):
                continue
            if ascii_end and end + 1 < len(text) and _is_ascii_alnum(text[end + 1]):
                continue
            hits.append((start, end, display, category))
        best = None
        for start, end, display, category in hits:
            if any(a_start <= start and end <= a_end for a_start, a_end in allows):
                continue
            if best is None or (end - start, -start) > (best[1] - best[0], -best[0]):
                best = (start, end, display, category)
        return None if best is None else (best[2], best[3])

    def unsafe_probs(self, titles: Iterable[str | None]) -> list[float] | None:
        """Classifier probability of any ``unsafe_labels`` label per title (one fastText call); None without one."""
        if self._model is None:
            return None
        texts = [tokenize_for_fasttext(t) for t in titles]
        if not texts:
            return []
        labels, probs = self._model.predict(texts, k=-1)
        unsafe = self._unsafe_labels
        return [min(1.0, float(sum(p for lab, p in zip(labs, ps) if lab in unsafe)))
                for labs, ps in zip(labels, probs)]

    def score_batch(self, records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        titles = [record.get("title") or "" for record in records]
        probs = self.unsafe_probs(titles)
        out = []
        for i, title in enumerate(titles):
            hit = self.match(title)
            out.append({
                "safety_term": hit[0] if hit else None,
                "safety_category": hit[1] if hit else None,
                "safety_prob": None if probs is None else probs[i],
            })
        return out

    def score(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return self.score_batch([record])[0]

    def decide(self, scores: Mapping[str, Any]) -> str | None:
        term = scores.get("safety_term")
        if term:
            return f'unsafe term "{term}" ({scores.get("safety_category")})'
        prob = scores.get("safety_prob")
        threshold = self.config.classifier_threshold
        if prob is not None and not math.isnan(prob) and prob >= threshold:
            return f"text classifier p={prob:.2f} >= {threshold:.2f}"
        return None
