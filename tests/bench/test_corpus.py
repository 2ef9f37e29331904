"""The synthetic corpus must be reproducible and its ground truth must be right, or every accuracy number is noise."""
from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter, defaultdict

import numpy as np
import pytest
from opencc import OpenCC
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bench.corpus import KEPT, SHARES, STAGE, generate, write_corpus
from bench.defects import ALL_UNSAFE
from schemas.taxonomy import NAMES

N = 20_000
T2S = OpenCC("t2s")
HAN = re.compile("[\u4e00-\u9fff]")
KANA = re.compile("[\u3041-\u30ff]")
HANGUL = re.compile("[\uac00-\ud7af]")
DIGITS = re.compile(r"\d+")


def key(title: str) -> str:
    """What the pipeline compares: NFKC, Simplified, lower-case, letters and digits only."""
    return re.sub(r"[\W_]+", "", T2S.convert(unicodedata.normalize("NFKC", title)).lower())


def visible(title: str) -> int:
    return len(unicodedata.normalize("NFKC", title).strip())


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str | bytes, dict, dict | None]]:
    lines, truth = generate(N, seed=0)
    out = []
    for line, t in zip(lines, truth):
        try:  # decode strictly: json.loads(bytes) would let an encoded surrogate (ED A0 80) through
            rec = json.loads(line.decode("utf-8") if isinstance(line, bytes) else line)
        except (ValueError, UnicodeDecodeError):
            rec = None
        out.append((line, t, rec))
    return out


def by_kind(corpus, *kinds):
    return [(t, rec) for _, t, rec in corpus if t["kind"] in kinds]


def test_same_seed_same_bytes(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    write_corpus(str(a), 3000, seed=7, truth_path=str(tmp_path / "ta.jsonl"))
    write_corpus(str(b), 3000, seed=7, truth_path=str(tmp_path / "tb.jsonl"))
    assert a.read_bytes() == b.read_bytes()
    assert (tmp_path / "ta.jsonl").read_bytes() == (tmp_path / "tb.jsonl").read_bytes()
    assert generate(3000, seed=8)[0] != generate(3000, seed=7)[0]
    raw = a.read_bytes().split(b"\n")
    assert raw[-1] == b"" and len(raw) - 1 == 3000 == len((tmp_path / "ta.jsonl").read_text().splitlines())


def test_truth_rows_are_consistent(corpus):
    assert len(corpus) == N
    for _, t, _ in corpus:
        assert set(t) == {"video_id", "kind", "expect_stage", "expect_status", "dup_of"}
        assert t["expect_stage"] == STAGE[t["kind"]]
        assert t["expect_status"] == ("kept" if t["expect_stage"] is None else
                                      "error" if t["expect_stage"] == "schema" else "rejected")
    ids = [t["video_id"] for _, t, _ in corpus if t["kind"] != "dup_video_id" and t["video_id"]]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)  # increasing with line order, unique


def test_kind_shares(corpus):
    counts = Counter(t["kind"] for _, t, _ in corpus)
    for kind, share in SHARES.items():
        assert abs(counts[kind] - share * N) <= max(3, 0.05 * share * N), kind
    families = Counter(t["expect_stage"] for _, t, _ in corpus)
    expected = {"schema": 0.015, "duration": 0.02, "title_quality": 0.03, "language": 0.04, "text_safety": 0.02,
                "exact_dup": 0.04, "near_dup": 0.08}
    for stage, share in expected.items():
        assert abs(families[stage] / N - share) < 0.002, stage
    assert 0.6 < (counts["clean"] + counts["clean_mixed"]) / N < 0.75


def test_every_duplicate_copies_an_earlier_clean_record(corpus):
    first: dict[str, tuple[int, dict, dict]] = {}
    for i, (_, t, rec) in enumerate(corpus):
        if t["dup_of"] is None:
            if t["video_id"] is not None and t["video_id"] not in first:
                first[t["video_id"]] = (i, t, rec)
            continue
        j, t0, orig = first[t["dup_of"]]
        assert j < i and t0["kind"] in ("clean", "clean_mixed")
        kind = t["kind"]
        if kind == "dup_video_id":
            assert rec == orig
        elif kind == "dup_md5":
            assert rec["md5"] == orig["md5"] and rec["video_id"] != orig["video_id"] and rec["title"] != orig["title"]
        elif kind == "dup_path":
            assert rec["video_path"] == orig["video_path"] and rec["video_id"] != orig["video_id"]
        elif kind == "dup_title_duration":
            assert (rec["title"], rec["duration"]) == (orig["title"], orig["duration"])
            assert rec["video_id"] != orig["video_id"]
        else:
            assert kind.startswith("near_") and rec["video_id"] != orig["video_id"]
            assert abs(rec["duration"] - orig["duration"]) <= 1.0 + 1e-9
            a, b = key(orig["title"]), key(rec["title"])
            assert DIGITS.findall(a) == DIGITS.findall(b) or kind == "near_affix"
            d = Levenshtein.distance(a, b)
            if kind == "near_edit1":
                assert d == 1
            elif kind == "near_edit2":
                assert 1 <= d <= 2
            else:
                assert a != b and (b.startswith(a) or b.endswith(a)) and len(b) - len(a) <= 8


def test_kept_titles_look_clean(corpus):
    kept = by_kind(corpus, *KEPT)
    lengths = [visible(rec["title"]) for _, rec in kept]
    assert min(lengths) >= 5 and max(lengths) <= 40
    letters = [len(key(rec["title"])) for _, rec in kept]  # what the title-quality stage counts
    assert min(letters) >= 5 and max(letters) <= 40
    assert sum(8 <= n <= 25 for n in lengths) / len(lengths) > 0.85
    unsafe = re.compile("|".join(sorted({key(t) for t in ALL_UNSAFE}, key=len, reverse=True)))
    for t, rec in kept + by_kind(corpus, "near_edit1", "near_edit2", "near_affix"):
        title = rec["title"]
        assert rec["category"] in NAMES and 10 <= rec["duration"] <= 120
        assert not KANA.search(title) and not HANGUL.search(title), title
        assert not unsafe.search(key(title)), title
        if t["kind"] in KEPT:  # Latin words only in clean_mixed, and even there Han dominates
            han, latin = len(HAN.findall(title)), len(re.findall(r"[A-Za-z]+", title))
            assert han / (han + latin) >= (0.5 if t["kind"] == "clean_mixed" else 0.99), title
    keys = [key(rec["title"]) for _, rec in kept]
    assert len(set(keys)) == len(keys)
    # only the "traditional" kind may be rewritten by OpenCC t2s (the pipeline flags that as Traditional input)
    for t, rec in kept + by_kind(corpus, "near_edit1", "near_edit2", "near_affix"):
        assert (T2S.convert(rec["title"]) != rec["title"]) == (t["kind"] == "traditional"), rec["title"]


def accidental_pairs(items: list[tuple[str, float]], tolerance: float = 1.5) -> list[tuple[int, int]]:
    """Pairs the near-dup stage would join: within 2 edits, or one is the other plus <= 8 chars; durations close."""
    buckets: dict[int, list[int]] = defaultdict(list)
    for i, (_, d) in enumerate(items):
        buckets[int(d * 10)].append(i)
    pairs = []
    for b in sorted(buckets):
        rows = buckets[b]
        cols = [j for bb in range(b, b + int(tolerance * 10) + 2) for j in buckets.get(bb, ())]
        dist = process.cdist([items[i][0] for i in rows], [items[j][0] for j in cols], scorer=Levenshtein.distance,
                             score_cutoff=8, dtype=np.int32)
        for r, c in zip(*np.nonzero(dist <= 8)):
            i, j = rows[r], cols[c]
            if j <= i or abs(items[i][1] - items[j][1]) > tolerance:
                continue
            short, long_ = sorted((items[i][0], items[j][0]), key=len)
            if dist[r, c] <= 2 or (long_.startswith(short) or long_.endswith(short)):
                pairs.append((i, j))
    return pairs


def test_distinct_titles_are_not_accidental_near_duplicates(corpus):
    kept = by_kind(corpus, *KEPT)
    items = [(key(rec["title"]), float(rec["duration"])) for _, rec in kept]
    pairs = accidental_pairs(items)
    assert len(pairs) < 0.002 * len(items), [(kept[i][1]["title"], kept[j][1]["title"]) for i, j in pairs[:10]]
    # the check itself finds what it should: a planted near-duplicate next to its original
    assert accidental_pairs([("李白连招教学", 30.0), ("李白连招教程", 30.8), ("李白连招教学高清版", 60.0)]) == [(0, 1)]


def test_hard_negatives_come_in_series(corpus):
    hard = by_kind(corpus, "hard_negative")
    items = [(key(rec["title"]), float(rec["duration"])) for _, rec in hard]
    close = sum(1 for a in items for b in items if a < b and Levenshtein.distance(a[0], b[0]) <= 2)
    assert close >= len(items) // 2  # siblings differ by a number or one word...
    assert accidental_pairs(items) == []  # ...but never share a duration


def test_schema_defects_really_break(corpus):
    for line, t, rec in corpus:
        kind = t["kind"]
        if kind == "schema_malformed_json":
            assert isinstance(line, str) and rec is None
        elif kind == "schema_invalid_utf8":
            assert isinstance(line, bytes) and rec is None
            with pytest.raises(UnicodeDecodeError):
                line.decode("utf-8")
            assert json.loads(line.decode("utf-8", errors="replace"))["video_id"] == t["video_id"]
        else:
            assert isinstance(line, str) and isinstance(rec, dict), kind
        if kind == "schema_missing_id":
            assert "video_id" not in rec and t["video_id"] is None
        elif kind == "schema_missing_title":
            assert "title" not in rec
        elif kind == "schema_duration_string":
            assert isinstance(rec["duration"], str)
        elif kind == "schema_duration_negative":
            assert rec["duration"] < 0
        elif kind == "schema_duration_inf":
            assert math.isinf(rec["duration"])
        elif kind == "schema_duration_nan":
            assert math.isnan(rec["duration"])
        elif kind == "schema_title_too_long":
            assert len(rec["title"]) > 1000
        elif kind == "schema_unknown_category":
            assert rec["category"] not in NAMES
        elif kind == "duration_short":
            assert 0 < rec["duration"] < 10
        elif kind == "duration_long":
            assert rec["duration"] > 120


def test_text_defects(corpus):
    for _, t, rec in corpus:
        kind, title = t["kind"], rec["title"] if isinstance(rec, dict) and "title" in rec else None
        if kind.startswith("language_"):
            assert 5 <= visible(title) <= 40
            if kind == "language_ja":
                assert KANA.search(title) and HAN.search(title), title
            else:
                assert not HAN.search(title), title
        elif kind.startswith("unsafe_"):
            squeezed = key(title)
            assert any(key(term) in squeezed for term in ALL_UNSAFE), title
            assert visible(title) <= 40
            if kind == "unsafe_traditional":
                assert T2S.convert(title) != title
        elif kind == "tq_too_short":
            assert visible(title) < 5 and len(key(title)) < 5
        elif kind == "tq_too_long":
            assert 40 < len(key(title)) and visible(title) <= 1000
    langs = {t["kind"] for _, t, _ in corpus if t["kind"].startswith("language_")}
    assert len(langs) == 10
