"""Deterministic synthetic corpus of raw video records with planted defects and a ground-truth file.

Why: filter accuracy can only be measured against known answers. Every record comes from one ``random.Random(seed)``
so a given (n, seed) always yields byte-identical output, and each line has a truth row naming the stage that must
reject it (or that it must be kept) and, for duplicates, the earlier record it copies. Video ids increase with line
order, so "earliest in the file" and "smallest id" name the same original.
"""
from __future__ import annotations

import json
import random
import re
from typing import Any

from bench.defects import ALL_UNSAFE, LANGUAGES, foreign_title, has_unsafe, quality_title, s2t, unsafe_title
from bench.titles import TitleMaker, compare_key, t2s_stable, visible_len

# Share of n per planted kind; "clean" takes the remainder (~70%). Truth stage per kind is STAGE[kind].
SHARES: dict[str, float] = {
    "clean_mixed": 0.03, "traditional": 0.02,
    **{k: 0.0015 for k in ("schema_missing_id", "schema_missing_title", "schema_malformed_json",
                           "schema_duration_string", "schema_duration_negative", "schema_duration_inf",
                           "schema_duration_nan", "schema_title_too_long", "schema_invalid_utf8",
                           "schema_unknown_category")},
    "duration_short": 0.01, "duration_long": 0.01,
    **{k: 0.00375 for k in ("tq_too_short", "tq_too_long", "tq_url", "tq_phone", "tq_qq", "tq_wechat", "tq_repeat",
                            "tq_symbols")},
    **{f"language_{lang}": 0.004 for lang in LANGUAGES},
    "unsafe_plain": 0.01, "unsafe_obfuscated": 0.006, "unsafe_traditional": 0.004,
    "dup_video_id": 0.01, "dup_md5": 0.01, "dup_path": 0.01, "dup_title_duration": 0.01,
    "near_edit1": 0.03, "near_edit2": 0.025, "near_affix": 0.025,
    "hard_negative": 0.03,
}
_PREFIX_STAGE = {"schema": "schema", "duration": "duration", "tq": "title_quality", "language": "language",
                 "unsafe": "text_safety", "dup": "exact_dup", "near": "near_dup"}
STAGE: dict[str, str | None] = {k: _PREFIX_STAGE.get(k.split("_")[0]) for k in ("clean", *SHARES)}
KEPT = ("clean", "clean_mixed", "traditional", "hard_negative")
AFFIXES = ("（高清版）", "【完整版】", "(1080P)", "高清", "-转载", "【官方】", "[中字]", "（完整版）", "【超清】", " 高清",
           "（转载）", "[高清]", "【字幕版】", "_超清", "（重制版）")
PREFIXES = ("【完整版】", "【官方】", "[中字]", "【高清】", "转载：", "【转】", "高清 ")
_UNKNOWN_CATEGORIES = ("不存在的分类", "未知分类", "其它", "99", "综合")
_BAD_BYTES = (b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xe4\xb8", b"\x80\x81", b"\xfe\xfe")
_HAN = re.compile("[\u4e00-\u9fff]")
_DIGITS = re.compile(r"\d+")
# Common characters for the edits of planted near-duplicates (none that occurs in an unsafe term).
_EDIT_CHARS = "".join(c for c in (
    "的一是在不了有人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两"
    "体制机当使点从业本去把性好应开它合还因由其些然前外天四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道此变条只没结解问意建月公无系很情者最立代想已通并提"
    "直题程展五果料象员位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理世"
) if not any(c in t for t in ALL_UNSAFE))


def _duration(rng: random.Random, lo: float = 10.1, hi: float = 119.9) -> float | int:
    """Seconds, mostly one decimal; a few whole numbers or two decimals, as real exports mix them."""
    d = min(hi, max(lo, rng.triangular(10.0, 120.0, 40.0)))
    r = rng.random()
    return int(round(d)) if r < 0.04 and lo <= round(d) <= hi else round(d, 2) if r < 0.07 else round(d, 1)


class _Builder:
    """Generator state: the rng, the title maker, the next id, and the clean originals duplicates may copy."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.maker = TitleMaker(self.rng)
        self.next_id = 10_000_000
        self.originals: list[dict[str, Any]] = []
        self.with_md5: list[dict[str, Any]] = []
        self.with_path: list[dict[str, Any]] = []
        self.series: list[tuple[str, str, float]] = []
        self.lines: list[str | bytes] = []
        self.truth: list[dict[str, Any]] = []

    def record(self, title: str | None, duration: Any, category: str | None = None,
               ids: bool = True) -> dict[str, Any]:
        """A raw record with a fresh, increasing id; most also get their own md5 and/or video_path."""
        rng = self.rng
        self.next_id += rng.randint(1, 5)
        rec: dict[str, Any] = {"video_id": f"v{self.next_id:08d}"}
        if title is not None:
            rec["title"] = title
        rec["duration"] = duration
        rec["category"] = category or self.maker.category()
        r = rng.random()
        if ids and r < 0.65:
            rec["md5"] = f"{rng.getrandbits(128):032x}"
        if ids and (r < 0.5 or 0.65 <= r < 0.8):
            rec["video_path"] = f"videos/{rec['video_id']}.mp4"
        return rec

    def emit(self, line: str | bytes, kind: str, video_id: str | None, dup_of: str | None = None) -> None:
        stage = STAGE[kind]
        status = "kept" if stage is None else "error" if stage == "schema" else "rejected"
        self.lines.append(line)
        self.truth.append({"video_id": video_id, "kind": kind, "expect_stage": stage, "expect_status": status,
                           "dup_of": dup_of})

    def emit_record(self, rec: dict[str, Any], kind: str, dup_of: str | None = None) -> None:
        self.emit(json.dumps(rec, ensure_ascii=False), kind, rec.get("video_id"), dup_of)
        if kind in ("clean", "clean_mixed"):
            self.originals.append(rec)
            if "md5" in rec:
                self.with_md5.append(rec)
            if "video_path" in rec:
                self.with_path.append(rec)

    # ------------------------------------------------------------ one method per family of kinds
    def clean(self, kind: str) -> None:
        d = _duration(self.rng)
        if kind == "clean_mixed":
            category, title = self.maker.mixed(d)
        else:
            category = self.maker.category()
            title = self.maker.clean(category, d)
            if kind == "traditional":
                while s2t(title) == title:
                    title = self.maker.clean(category, d)
                title = s2t(title)
        self.emit_record(self.record(title, d, category), kind)

    def hard_negative(self) -> None:
        """Series siblings (第3集 / 第4集, or one swapped word) whose durations differ by more than 5 s."""
        if not self.series:
            group, size = None, self.rng.randint(2, 4)
            while group is None:
                durations: list[float] = []
                while len(durations) < size:
                    d = round(self.rng.uniform(12.0, 118.0), 1)
                    if all(abs(d - o) > 5.5 for o in durations):
                        durations.append(d)
                group = self.maker.series(durations)
            self.series = [(group[0], t, d) for t, d in zip(group[1], durations)]
        category, title, duration = self.series.pop(0)
        self.emit_record(self.record(title, duration, category), "hard_negative")

    def schema(self, kind: str) -> None:
        rng, maker, category = self.rng, self.maker, self.maker.category()
        rec = self.record(maker.clean(category), _duration(rng), category)
        if kind == "schema_missing_id":
            del rec["video_id"]
        elif kind == "schema_missing_title":
            del rec["title"]
        elif kind == "schema_duration_string":
            rec["duration"] = rng.choice(("abc", "未知", "n/a", "--", "1分钟", "12s"))
        elif kind == "schema_duration_negative":
            rec["duration"] = -round(rng.uniform(0.5, 120.0), 1)
        elif kind in ("schema_duration_inf", "schema_duration_nan"):
            rec["duration"] = float("nan") if kind.endswith("nan") else rng.choice((1.0, -1.0)) * float("inf")
        elif kind == "schema_title_too_long":
            base = "，".join(maker.clean(maker.category()) for _ in range(12))
            rec["title"] = (base * (1600 // len(base) + 1))[:rng.randint(1001, 1600)]
        elif kind == "schema_unknown_category":
            rec["category"] = rng.choice(_UNKNOWN_CATEGORIES)
        line = json.dumps(rec, ensure_ascii=False)
        if kind == "schema_duration_inf" and rng.random() < 0.5:
            line = line.replace("-Infinity", "-1e999").replace("Infinity", "1e999")
        elif kind == "schema_malformed_json":
            line = line[:rng.randint(len(line) // 3, len(line) - 2)]
        elif kind == "schema_invalid_utf8":
            pos = rng.randint(1, len(rec["title"]) - 1)
            rec["title"] = rec["title"][:pos] + "\ue000" + rec["title"][pos:]
            line = json.dumps(rec, ensure_ascii=False).encode("utf-8").replace(
                "\ue000".encode("utf-8"), rng.choice(_BAD_BYTES))
        self.emit(line, kind, rec.get("video_id"))

    def duration_defect(self, kind: str) -> None:
        rng = self.rng
        d = round(rng.uniform(0.3, 9.8), 1) if kind == "duration_short" else \
            round(rng.uniform(120.5, 300.0) if rng.random() < 0.5 else rng.uniform(300.0, 7200.0), 1)
        category = self.maker.category()
        self.emit_record(self.record(self.maker.clean(category), d, category), kind)

    def text_defect(self, kind: str) -> None:
        if kind.startswith("language_"):
            title = foreign_title(kind.split("_", 1)[1], self.rng)
        elif kind.startswith("tq_"):
            title = quality_title(kind, self.maker)
        else:
            title = unsafe_title(kind, self.maker)
        self.emit_record(self.record(title, _duration(self.rng)), kind)

    def exact_dup(self, kind: str) -> bool:
        pool = self.with_md5 if kind == "dup_md5" else self.with_path if kind == "dup_path" else self.originals
        if not pool:
            return False
        orig = self.rng.choice(pool)
        if kind == "dup_video_id":
            self.emit(json.dumps(orig, ensure_ascii=False), kind, orig["video_id"], orig["video_id"])
            return True
        if kind == "dup_title_duration":
            rec = self.record(orig["title"], orig["duration"], orig["category"])
        else:
            d = _duration(self.rng)
            rec = self.record(self.maker.clean(orig["category"], d), d, orig["category"], ids=False)
            if kind == "dup_md5":
                rec.update(md5=orig["md5"], video_path=f"videos/{rec['video_id']}.mp4")
            else:
                rec["video_path"] = orig["video_path"]
        self.emit_record(rec, kind, orig["video_id"])
        return True

    def near_dup(self, kind: str) -> bool:
        if not self.originals:
            return False
        rng = self.rng
        for _ in range(20):
            orig = rng.choice(self.originals)
            title = _affix(orig["title"], rng) if kind == "near_affix" else \
                _edit(orig["title"], 1 if kind == "near_edit1" else 2, rng)
            # Keys under 6 characters are too short to call near-duplicates with confidence; an edit must not make
            # OpenCC's Traditional->Simplified step rewrite neighbouring characters (山吒 -> 山咤) either.
            if title and 5 <= visible_len(title) <= 40 and len(compare_key(title)) >= 6 \
                    and compare_key(title) not in self.maker.guard.used and not has_unsafe(title) \
                    and t2s_stable(title):
                break
        else:
            return False
        self.maker.guard.used.add(compare_key(title))
        duration = min(119.9, max(10.1, round(orig["duration"] + rng.uniform(-0.9, 0.9), 1)))  # within 1 s
        self.emit_record(self.record(title, duration, orig["category"]), kind, orig["video_id"])
        return True


def _affix(title: str, rng: random.Random) -> str:
    """The title with a short repost tag added at the end (mostly) or the start."""
    return title + rng.choice(AFFIXES) if rng.random() < 0.75 else rng.choice(PREFIXES) + title


def _edit(title: str, edits: int, rng: random.Random) -> str | None:
    """``edits`` substitutions/insertions/deletions of Chinese characters, leaving every number intact."""
    chars = list(title)
    for _ in range(edits):
        op = rng.choice(("sub", "sub", "ins", "del"))
        if op == "ins":
            spots = [i for i in range(len(chars) + 1) if (i > 0 and _HAN.match(chars[i - 1])) or
                     (i < len(chars) and _HAN.match(chars[i]))]
            i = rng.choice(spots) if spots else None
            if i is not None:
                chars.insert(i, rng.choice(_EDIT_CHARS))
            continue
        spots = [i for i, c in enumerate(chars) if _HAN.match(c)]
        if not spots:
            return None
        i = rng.choice(spots)
        if op == "sub":
            chars[i] = rng.choice(_EDIT_CHARS.replace(chars[i], ""))
        else:
            del chars[i]
    out = "".join(chars)
    return out if out != title and _DIGITS.findall(out) == _DIGITS.findall(title) else None


def generate(n: int, seed: int = 0) -> tuple[list[str | bytes], list[dict[str, Any]]]:
    """Return (lines, truth) for ``n`` records; lines are JSONL without newline (bytes where not valid UTF-8).

    truth[i] describes lines[i]: video_id (None where the line has none), kind, expect_stage (None = kept),
    expect_status ("kept" | "rejected" | "error"), dup_of (the earlier original's video_id, for duplicates).
    """
    b = _Builder(seed)
    counts = {k: round(n * s) for k, s in SHARES.items()}
    while sum(counts.values()) > n:
        counts[max(counts, key=counts.__getitem__)] -= 1
    kinds = ["clean"] * (n - sum(counts.values())) + [k for k, c in counts.items() for _ in range(c)]
    b.rng.shuffle(kinds)
    for kind in kinds:
        head = kind.split("_")[0]
        if kind in ("clean", "clean_mixed", "traditional"):
            b.clean(kind)
        elif kind == "hard_negative":
            b.hard_negative()
        elif head == "schema":
            b.schema(kind)
        elif head == "duration":
            b.duration_defect(kind)
        elif head in ("language", "tq", "unsafe"):
            b.text_defect(kind)
        elif not (b.exact_dup(kind) if head == "dup" else b.near_dup(kind)):
            b.clean("clean")  # no eligible original yet (only at the very start of the file)
    return b.lines, b.truth


def write_corpus(path: str, n: int, seed: int = 0, truth_path: str | None = None) -> None:
    """Write the records as UTF-8 JSONL to ``path`` (invalid-UTF-8 lines as raw bytes) and the truth as JSONL."""
    lines, truth = generate(n, seed)
    with open(path, "wb") as out:
        out.writelines((line if isinstance(line, bytes) else line.encode("utf-8")) + b"\n" for line in lines)
    if truth_path is not None:
        with open(truth_path, "w", encoding="utf-8", newline="\n") as out:
            out.writelines(json.dumps(t, ensure_ascii=False) + "\n" for t in truth)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", type=int)
    parser.add_argument("path")
    parser.add_argument("--truth")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_corpus(args.path, args.records, args.seed, args.truth)
