"""Realistic Chinese video titles from the templates and word pools of ``bench.vocab``, one set per category.

Why the care: the benchmark scores near-duplicate detection, so two *unrelated* clean titles must never look like a
repost of each other (within two character edits, or one plus a short tag, with similar durations). Templates have
several word slots over sizeable pools, decorations (leading 【tag】, trailing hook) vary the surface, and the
``Guard`` refuses the few accidental look-alikes that chance still produces. Clean titles are also kept stable
under OpenCC t2s, so the pipeline never mistakes them for Traditional input.
"""
from __future__ import annotations

import bisect
import itertools
import random
import re
import unicodedata
from typing import Callable

from opencc import OpenCC
from rapidfuzz.distance import Levenshtein

from bench.vocab import MIXED_TEMPLATES, POOLS, SERIES_TEMPLATES, TEMPLATES_BY_CATEGORY
from schemas.taxonomy import NAMES

SLOT_RE = re.compile(r"\{(=?\w+)\}")
_ADDRESS = ("老师", "师傅", "姐", "哥", "叔", "阿姨", "大爷", "同学")
_PUNCT_END = ("！", "！！", "？", "…", "~")


def _person(rng: random.Random) -> str:
    """A plausible person reference: full name, nickname, or surname plus a form of address."""
    sur, given, r = rng.choice(POOLS["sur"]), POOLS["given"], rng.random()
    if r < 0.4:
        return sur + rng.choice(given) + rng.choice(given)
    if r < 0.6:
        return sur + rng.choice(given)
    if r < 0.75:
        return rng.choice(("小", "阿")) + rng.choice(given)
    return sur + rng.choice(_ADDRESS)


SPECIAL: dict[str, Callable[[random.Random], str]] = {
    "p": _person,
    "n": lambda r: str(r.choice((2, 3, 3, 4, 5, 5, 6, 7, 8, 9, 10, 12, 15, 20, 30))),
    "N": lambda r: str(r.choice((r.randint(1, 99) * 100, r.randint(1000, 9999), r.randint(1, 50) * 1000))),
    "pts": lambda r: str(r.randint(15, 60)),
    "cn": lambda r: r.choice("两三四五六七八"),
    "yr": lambda r: str(r.randint(2015, 2024)),
    "ep": lambda r: str(r.randint(1, 80)),
}


def compare_key(text: str) -> str:
    """The form the pipeline compares titles in: NFKC, lower-case, letters and digits only."""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", text).lower())


_NON_WORD = re.compile(r"[\W_]+")
_SHAPES: dict[str, int] = {}


class Template:
    """A parsed template: literal pieces around named slots, plus its category and a global id."""

    def __init__(self, category: str, text: str) -> None:
        pieces = SLOT_RE.split(text)
        self.category, self.literals, self.slots = category, pieces[0::2], pieces[1::2]
        # Templates equal up to punctuation ("{a}，{b}" / "{a}：{b}") share one id, so the guard compares them.
        shape = "\x1f".join(compare_key(lit) for lit in self.literals)
        self.tid = _SHAPES.setdefault(shape, len(_SHAPES))
        self._sources = [SPECIAL.get(s.lstrip("="), POOLS.get(s.lstrip("="))) for s in self.slots]

    def draw(self, rng: random.Random, fixed: dict[str, str] | None = None) -> list[str]:
        """One value per slot; ``fixed`` pins slots by name (series siblings share them)."""
        if fixed is None:
            return [rng.choice(src) if isinstance(src, tuple) else src(rng) for src in self._sources]
        return [fixed[slot] if slot in fixed else rng.choice(src) if isinstance(src, tuple) else src(rng)
                for slot, src in zip(self.slots, self._sources)]

    def render(self, values: list[str]) -> str:
        return "".join(lit + val for lit, val in zip(self.literals, values)) + self.literals[-1]


def _parse(groups: list) -> list[Template]:
    return [Template(cat, text) for cat, text in groups]


_PLAIN = [(cat, t) for cat in NAMES for t in TEMPLATES_BY_CATEGORY[cat].split("|")]
_ALL = _parse(_PLAIN + [tuple(m.split("@")) for m in (*MIXED_TEMPLATES.split("|"), *SERIES_TEMPLATES.split("|"))])
TEMPLATES: dict[str, list[Template]] = {cat: [t for t in _ALL[:len(_PLAIN)] if t.category == cat] for cat in NAMES}
MIXED: list[Template] = _ALL[len(_PLAIN):len(_PLAIN) + MIXED_TEMPLATES.count("|") + 1]
SERIES: list[Template] = _ALL[len(_PLAIN) + len(MIXED):]
# Long-tailed category mix, loosely following the paper (Daily Life is the largest class).
WEIGHTS: tuple[float, ...] = tuple(
    {"日常生活": 8, "美食制作": 5, "搞笑": 5, "游戏": 5, "宠物": 4, "电视剧剪辑": 4, "电影剪辑": 3, "旅游": 3, "三农": 3,
     "萌娃日常": 3, "综艺": 3, "美食测评": 3, "汽车": 2, "科技": 2, "健身": 2, "篮球": 2, "足球": 2, "翻唱": 2}.get(c, 1)
    for c in NAMES
)

_CUM_WEIGHTS = tuple(itertools.accumulate(WEIGHTS))
_T2S = OpenCC("t2s")


def t2s_stable(title: str) -> bool:
    """Whether OpenCC t2s leaves the title alone. Phrase rules rewrite some Simplified text too (沈思 -> 沉思), and
    the pipeline would then flag a clean title as Traditional input, so clean titles must be stable."""
    return _T2S.convert(title) == title


def visible_len(title: str) -> int:
    """Length as the title-quality stage sees it: NFKC-normalised and stripped."""
    return len(unicodedata.normalize("NFKC", title).strip())


def _close(a: str, b: str) -> bool:
    """Within two edits, or one is the other plus a prefix/suffix of at most 8 characters (as the near-dup stage)."""
    if not -9 < len(a) - len(b) < 9:
        return False
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    return Levenshtein.distance(short, long_, score_cutoff=2) <= 2 or long_.startswith(short) or long_.endswith(short)


class Guard:
    """Index of accepted titles that refuses accidental near-duplicates of them.

    The near-dup stage joins two records when their compare keys are within two edits, or one is the other plus a
    short prefix/suffix, and their durations agree. Unrelated titles must never do that by chance, or the truth
    file would call a correct rejection a mistake. Two cheap indexes catch it:

    * signatures: every "all slots but one" view of a templated title (a city, a number, a 2-character word or
      only the decoration swapped is usually within two edits);
    * ends: titles filed by their first four and by their last six key characters and a 2-second duration bin; two
      keys within two edits, or related by a prefix/suffix, nearly always share one end (this catches cross-template
      look-alikes such as "《X》Y" vs "某某解说《X》Y").

    A title clashes when it shares a signature with, or is close to, an indexed one less than ``GAP`` s away.
    """

    GAP = 2.6  # the stage's 1.5 s tolerance plus the 1.0 s jitter of planted near-duplicates (chains)

    def __init__(self) -> None:
        self.used: set[str] = set()   # compare keys (membership only: sets are never iterated)
        self._ids: dict[str, int] = {}
        self._sigs: dict[int, list[float]] = {}
        self._ends: dict[int, dict[str, list[tuple[str, float]]]] = {}   # duration bin -> end -> (key, duration)

    def signatures(self, tid: int, values: list[str]) -> list[int]:
        """Exact integer signatures (no hashing, so no collisions and no PYTHONHASHSEED dependence)."""
        ids = [self._ids.setdefault(v, len(self._ids)) for v in values]
        sigs = []
        for skip in range(len(ids)):
            acc = tid * 64 + skip
            for j, v in enumerate(ids):
                if j != skip:
                    acc = (acc << 24) + v
            sigs.append(acc)
        return sigs

    def clashes(self, key: str, sigs: list[int], duration: float) -> bool:
        if key in self.used:
            return True
        for sig in sigs:
            if any(abs(d - duration) < self.GAP for d in self._sigs.get(sig, ())):
                return True
        gap, b, ends = self.GAP, int(duration // self.GAP), (key[:4], "\x01" + key[-6:])
        for by_end in (self._ends.get(b - 1), self._ends.get(b), self._ends.get(b + 1)):
            if by_end is None:
                continue
            for end in ends:
                for other, d in by_end.get(end, ()):
                    if -gap < d - duration < gap and _close(key, other):
                        return True
        return False

    def add(self, key: str, sigs: list[int], duration: float) -> None:
        self.used.add(key)
        for sig in sigs:
            self._sigs.setdefault(sig, []).append(duration)
        by_end = self._ends.setdefault(int(duration // self.GAP), {})
        for end in (key[:4], "\x01" + key[-6:]):
            by_end.setdefault(end, []).append((key, duration))


class TitleMaker:
    """Draws clean titles from one shared ``random.Random``; titles given a duration go through the ``Guard``."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.guard = Guard()

    def category(self) -> str:
        return NAMES[bisect.bisect(_CUM_WEIGHTS, self.rng.random() * _CUM_WEIGHTS[-1])]

    def _decorate(self, core: str) -> tuple[str, str, str]:
        """(title, prefix key, suffix key): optional leading 【tag】 and trailing hook or punctuation."""
        rng, pre, suf, r = self.rng, "", "", self.rng.random()
        if r < 0.2:
            pre = rng.choice(POOLS["tag"])
            core = "【" + pre + "】" + core
        elif r < 0.26:
            pre = rng.choice(POOLS["tag"])
            core = pre + rng.choice(("｜", " | ", "丨")) + core
        r = rng.random()
        if r < 0.22 and "，" not in core:
            suf = rng.choice(POOLS["hook"])
            core += rng.choice(("，", "！", "～", " ")) + suf
        elif r < 0.3:
            core += rng.choice(_PUNCT_END)
        return core, pre, suf

    def _draw(self, templates: list[Template], duration: float | None, lo: int, hi: int) -> tuple[str, str]:
        tries = 0
        while True:
            tpl = self.rng.choice(templates)
            values = tpl.draw(self.rng)
            title, pre, suf = self._decorate(tpl.render(values))
            key = compare_key(title)
            if not lo <= visible_len(title) <= hi or len(key) < 6 or not t2s_stable(title):
                continue
            if duration is None:
                return tpl.category, title
            tries += 1
            sigs = self.guard.signatures(tpl.tid, [compare_key(pre), *values, compare_key(suf)])
            # Stop guarding after many tries so that huge corpora still terminate (the pools are finite).
            if not self.guard.clashes(key, sigs, duration) or (tries > 200 and key not in self.guard.used):
                self.guard.add(key, sigs, duration)
                return tpl.category, title

    def clean(self, category: str, duration: float | None = None, lo: int = 6, hi: int = 35) -> str:
        """A clean title for ``category``: visible length in [lo, hi], at least 6 letters/digits (the length the
        title-quality stage counts); with a duration it is guarded and registered."""
        return self._draw(TEMPLATES[category], duration, lo, hi)[1]

    def mixed(self, duration: float | None = None) -> tuple[str, str]:
        """(category, title) mixing Chinese with Latin words (brands, vlog, MV, NBA...)."""
        return self._draw(MIXED, duration, 6, 35)

    def series(self, durations: list[float]) -> tuple[str, list[str]] | None:
        """(category, sibling titles) sharing one template and differing only in a number or one word.

        Siblings are checked against earlier titles, not against each other (their durations differ by > 5 s).
        Returns None when one would clash; the caller draws again.
        """
        rng, tpl = self.rng, self.rng.choice(SERIES)
        base = dict(zip(tpl.slots, tpl.draw(rng, {"k": ""})))
        swap = next((s for s in tpl.slots if s[0] == "="), "k")
        if swap == "k":
            start = rng.randint(1, 30)
            variants = [str(start + i) for i in range(len(durations))]
        else:
            variants = rng.sample(POOLS[swap[1:]], len(durations))
        members = []
        for variant, duration in zip(variants, durations):
            values = tpl.draw(rng, {**base, swap: variant})
            title = tpl.render(values)
            key, sigs = compare_key(title), self.guard.signatures(tpl.tid, ["", *values, ""])
            if not 6 <= len(key) <= visible_len(title) <= 35 or not t2s_stable(title) \
                    or self.guard.clashes(key, sigs, duration):
                return None
            members.append((title, key, sigs, duration))
        for _, key, sigs, duration in members:
            self.guard.add(key, sigs, duration)
        return tpl.category, [m[0] for m in members]
