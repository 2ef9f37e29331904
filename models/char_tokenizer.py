"""Chinese character-level tokenizer for open_clip text towers.

One token per character (after NFKC normalisation, so full-width letters/digits map to ASCII). Ids: <pad>=0, <sot>=1,
<eot>=2, <unk>=3, then ASCII letters and digits, then the corpus characters in first-seen order. Calling the tokenizer
behaves like open_clip's: `tok(texts, context_length)` -> LongTensor (N, context_length) holding sot, characters, eot,
then pad zeros; too-long texts are truncated so the last position is always eot. Pair it with a text tower whose
`pool_type` is "eos" and `eos_id` is `EOT_ID` (open_clip's default "argmax" pooling assumes eot has the highest id).
"""
from __future__ import annotations

import json
import string
import unicodedata
from pathlib import Path
from typing import Iterable, Sequence

import torch

SPECIALS = ("<pad>", "<sot>", "<eot>", "<unk>")
PAD_ID, SOT_ID, EOT_ID, UNK_ID = 0, 1, 2, 3
BASE_CHARS = string.ascii_letters + string.digits


def _normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


class CharTokenizer:
    """Character vocabulary with open_clip-style batch tokenisation."""

    def __init__(self, tokens: Sequence[str], context_length: int = 32):
        tokens = list(tokens)
        if tuple(tokens[: len(SPECIALS)]) != SPECIALS:
            raise ValueError(f"vocab must start with {SPECIALS}")
        if len(set(tokens)) != len(tokens):
            raise ValueError("vocab has duplicate tokens")
        self.tokens = tokens
        self.index = {t: i for i, t in enumerate(tokens)}
        self.context_length = int(context_length)
        self.pad_id, self.sot_id, self.eot_id, self.unk_id = PAD_ID, SOT_ID, EOT_ID, UNK_ID

    @classmethod
    def from_corpus(cls, texts: Iterable[str], context_length: int = 32) -> "CharTokenizer":
        seen = dict.fromkeys(SPECIALS)
        seen.update(dict.fromkeys(BASE_CHARS))
        for text in texts:
            seen.update(dict.fromkeys(ch for ch in _normalize(text) if not ch.isspace()))
        return cls(list(seen), context_length)

    @property
    def vocab_size(self) -> int:
        return len(self.tokens)

    def encode(self, text: str) -> list[int]:
        """Character ids of `text` (no sot/eot); whitespace is dropped, unknown characters become <unk>."""
        return [self.index.get(ch, UNK_ID) for ch in _normalize(text) if not ch.isspace()]

    def decode(self, ids: Iterable[int]) -> str:
        """Text of `ids`, skipping pad/sot/eot and stopping at the first eot."""
        out = []
        for i in (int(x) for x in ids):
            if i == EOT_ID:
                break
            if i in (PAD_ID, SOT_ID):
                continue
            out.append(self.tokens[i] if 0 <= i < len(self.tokens) else SPECIALS[UNK_ID])
        return "".join(out)

    def __call__(self, texts: str | Sequence[str], context_length: int | None = None) -> torch.LongTensor:
        if isinstance(texts, str):
            texts = [texts]
        ctx = int(context_length or self.context_length)
        if ctx < 2:
            raise ValueError("context_length must be >= 2 (sot + eot)")
        result = torch.full((len(texts), ctx), PAD_ID, dtype=torch.long)
        for row, text in enumerate(texts):
            ids = [SOT_ID] + self.encode(text)[: ctx - 2] + [EOT_ID]
            result[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        return result

    def to_dict(self) -> dict:
        return {"type": "char", "version": 1, "normalization": "NFKC", "context_length": self.context_length,
                "specials": list(SPECIALS), "tokens": self.tokens}

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=0), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> "CharTokenizer":
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("type") != "char":
            raise ValueError(f"{path}: not a character vocabulary (type={data.get('type')!r})")
        return cls(data["tokens"], data.get("context_length", 32))
