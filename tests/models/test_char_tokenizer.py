"""Character tokenizer: vocabulary layout, open_clip-style batches, truncation, JSON round trip."""
import json

import pytest
import torch

from models.char_tokenizer import EOT_ID, PAD_ID, SOT_ID, UNK_ID, CharTokenizer


@pytest.fixture()
def tok():
    return CharTokenizer.from_corpus(["红色圆形在草地上向右移动", "蓝色三角形，背景是天空"], context_length=16)


def test_vocab_layout(tok):
    assert tok.tokens[:4] == ["<pad>", "<sot>", "<eot>", "<unk>"]
    assert (PAD_ID, SOT_ID, EOT_ID, UNK_ID) == (0, 1, 2, 3)
    assert {"a", "Z", "0", "9", "红", "天"} <= set(tok.tokens)
    assert len(set(tok.tokens)) == tok.vocab_size
    assert "，" not in tok.tokens and "," in tok.tokens  # NFKC: full-width comma stored as ASCII


def test_batch_matches_open_clip_layout(tok):
    out = tok(["红色圆形", "蓝色"], context_length=8)
    assert out.dtype == torch.long and out.shape == (2, 8)
    assert out[0].tolist() == [SOT_ID, *tok.encode("红色圆形"), EOT_ID, PAD_ID, PAD_ID]
    assert out[1, 4:].tolist() == [PAD_ID] * 4 and out[1, 3] == EOT_ID
    assert tok("红色").shape == (1, 16)  # default context length; a single string is a batch of one


def test_truncation_keeps_eot_last(tok):
    out = tok(["红色圆形在草地上向右移动" * 3], context_length=10)
    assert out.shape == (1, 10)
    assert out[0, 0] == SOT_ID and out[0, -1] == EOT_ID
    assert (out[0] != PAD_ID).all()
    assert tok.decode(out[0]) == "红色圆形在草地上"


def test_round_trip_unknown_and_fullwidth(tok):
    assert tok.decode(tok("红色圆形向右移动")[0]) == "红色圆形向右移动"
    assert tok.decode(tok("ＡＢ１２ 红")[0]) == "AB12红"  # full-width ASCII folded, whitespace dropped
    assert tok.encode("猫") == [UNK_ID]
    assert tok.decode(tok("红猫")[0]) == "红<unk>"


def test_save_load(tok, tmp_path):
    path = tok.save(tmp_path / "vocab.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "char" and data["tokens"] == tok.tokens
    again = CharTokenizer.load(path)
    assert again.tokens == tok.tokens and again.context_length == 16
    texts = ["红色圆形在草地上向右移动", "蓝色三角形，背景是天空", ""]
    assert torch.equal(again(texts, 20), tok(texts, 20))
    (tmp_path / "bad.json").write_text(json.dumps({"type": "bpe"}), encoding="utf-8")
    with pytest.raises(ValueError):
        CharTokenizer.load(tmp_path / "bad.json")
    with pytest.raises(ValueError):
        CharTokenizer(["a", "b"])
