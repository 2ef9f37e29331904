"""Tiny LLM: the committed checkpoint loads through plain Auto* classes offline, tokenises like CharTokenizer, and
is a trained language model of the captions; the builder is deterministic."""
import json
import math
import unicodedata

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from models.char_tokenizer import CharTokenizer
from models.clip_model import sha256_file
from models.tiny_llm import TINY_LLM_DIR, all_captions, build_tiny_llm, lm_loss, main, sample_titles

SMALL = {"n_embd": 32, "n_layer": 1, "n_head": 2, "n_inner": 64}


@pytest.fixture(scope="module")
def committed():
    return AutoModelForCausalLM.from_pretrained(TINY_LLM_DIR), AutoTokenizer.from_pretrained(TINY_LLM_DIR)


def test_committed_files_and_card(committed):
    model, tokenizer = committed
    card = json.loads((TINY_LLM_DIR / "card.json").read_text(encoding="utf-8"))
    assert (TINY_LLM_DIR / "model.safetensors").stat().st_size < 5 * 1024 * 1024
    assert not list(TINY_LLM_DIR.glob("*.bin"))
    assert card["model_sha256"] == sha256_file(TINY_LLM_DIR / "model.safetensors")
    for name, size in card["files"].items():
        assert (TINY_LLM_DIR / name).stat().st_size == size, name
    assert type(model).__name__ == card["architecture"] == "GPT2LMHeadModel"
    assert sum(p.numel() for p in model.parameters()) == card["params"] and 2e5 < card["params"] < 2e6
    assert len(tokenizer) == card["vocab_size"] == model.config.vocab_size
    assert (tokenizer.pad_token_id, tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.unk_token_id) == (
        0, 1, 2, 3)
    assert card["uniform_loss"] == pytest.approx(math.log(card["vocab_size"]), abs=1e-3)
    assert card["caption_lm_loss"] < 0.2 * card["uniform_loss"] and card["title_lm_loss"] < 0.2 * card["uniform_loss"]


def test_tokenizer_matches_char_tokenizer(committed):
    _, tokenizer = committed
    vocab = [t for t, _ in sorted(tokenizer.get_vocab().items(), key=lambda kv: kv[1])]
    char_tok = CharTokenizer(vocab)
    captions = all_captions()
    assert len(captions) == 3 * 7 * 7 * 6 * 5
    for text in captions + sample_titles() + ["ＡＢＣ  hello 世界\t!", "未见过的字龘"]:
        assert tokenizer(text, add_special_tokens=False)["input_ids"] == char_tok.encode(text), text
    ids = tokenizer(captions, add_special_tokens=False)["input_ids"]
    assert all(tokenizer.unk_token_id not in row for row in ids)  # every caption is in the vocabulary
    for caption, row in zip(captions[::97], ids[::97]):
        assert tokenizer.decode(row) == unicodedata.normalize("NFKC", caption)  # no spaces between characters
    assert tokenizer("红色圆形")["input_ids"] == char_tok.encode("红色圆形")  # adds no specials by itself


def test_committed_model_is_a_caption_language_model(committed):
    model, tokenizer = committed
    card = json.loads((TINY_LLM_DIR / "card.json").read_text(encoding="utf-8"))
    seqs = [[1] + row + [2] for row in tokenizer(all_captions(), add_special_tokens=False)["input_ids"]]
    assert lm_loss(model, seqs) == pytest.approx(card["caption_lm_loss"], abs=2e-4)  # the card describes these weights
    valid = {unicodedata.normalize("NFKC", c) for c in all_captions()}
    for prompt in ("", "红色", "一个蓝色", "雪地上，一个"):
        ids = torch.tensor([[tokenizer.bos_token_id] + tokenizer(prompt, add_special_tokens=False)["input_ids"]])
        out = model.generate(ids, max_new_tokens=30, do_sample=False, eos_token_id=2, pad_token_id=0)
        assert tokenizer.decode(out[0], skip_special_tokens=True) in valid, prompt


def test_build_is_deterministic_and_loads(tmp_path):
    card = build_tiny_llm(tmp_path / "a", steps=3, batch_size=8, config_overrides=SMALL)
    again = build_tiny_llm(tmp_path / "b", steps=3, batch_size=8, config_overrides=SMALL)
    other = build_tiny_llm(tmp_path / "c", steps=3, batch_size=8, seed=1, config_overrides=SMALL)
    assert card["steps"] == 3 and card["first_train_loss"] is not None
    assert json.loads((tmp_path / "a" / "card.json").read_text(encoding="utf-8")) == card
    models = [AutoModelForCausalLM.from_pretrained(tmp_path / n) for n in "abc"]
    same = [torch.equal(p, q) for p, q in zip(models[0].state_dict().values(), models[1].state_dict().values())]
    differ = [torch.equal(p, q) for p, q in zip(models[0].state_dict().values(), models[2].state_dict().values())]
    assert all(same) and not all(differ)
    assert card["caption_lm_loss"] == again["caption_lm_loss"]
    tokenizer = AutoTokenizer.from_pretrained(tmp_path / "a")
    assert tokenizer("红色圆形", add_special_tokens=False)["input_ids"] == \
        AutoTokenizer.from_pretrained(TINY_LLM_DIR)("红色圆形", add_special_tokens=False)["input_ids"]


def test_command_line_entry_point(tmp_path, capsys, monkeypatch):
    import models.tiny_llm as tiny_llm

    real = tiny_llm.build_tiny_llm
    monkeypatch.setattr(tiny_llm, "build_tiny_llm", lambda out, **kw: real(out, **kw, batch_size=4,
                                                                            config_overrides=SMALL))
    card = main(["--output", str(tmp_path / "cli"), "--steps", "2", "--seed", "5", "--log-every", "1"])
    assert card["seed"] == 5 and card["steps"] == 2 and (tmp_path / "cli" / "model.safetensors").is_file()
    printed = capsys.readouterr().out
    assert "step 2/2" in printed and '"caption_lm_loss"' in printed
