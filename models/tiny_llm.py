"""Build the tiny frozen Chinese LM that tests and the demo put behind the video encoder (CPU, about a minute).

mPLUG-video keeps a 1B-class decoder-only LM frozen. No such weights can be fetched here, so this module builds a
real transformers causal LM small enough to commit (GPT-2 architecture, ~0.8M parameters, safetensors), with a
character-level Hugging Face fast tokenizer, and pretrains it briefly on the synthetic captions and the sample titles
so that it is a language model rather than noise. It then loads like any hub checkpoint:
`AutoModelForCausalLM.from_pretrained(path)` and `AutoTokenizer.from_pretrained(path)`, offline.

Why GPT-2 rather than Qwen2 (the base recipe's family): transformers 5's AutoTokenizer always rebuilds a qwen2
checkpoint's tokenizer as Qwen2Tokenizer (byte-level BPE), ignoring the saved tokenizer class, which turns a
character-level vocabulary into byte garbage; for gpt2 it honours the saved class, so the checkpoint loads with plain
Auto* calls. The tests build a tiny Qwen2 from config (tokenizer loaded from here) to cover the base family.

The tokenizer reproduces models.char_tokenizer.CharTokenizer exactly (NFKC, whitespace dropped, one id per
character; <pad>=0, <sot>=1 as bos, <eot>=2 as eos, <unk>=3). It adds no special tokens by itself: callers put bos and
eos where they want them. Regenerate the committed copy with

    python -m models.tiny_llm --output models/tiny_llm [--steps N] [--seed S]
"""
from __future__ import annotations

import argparse
import itertools
import json
import math
import platform
import time
from pathlib import Path

import numpy as np
import torch

from .char_tokenizer import SPECIALS, CharTokenizer
from .clip_model import sha256_file
from .synthetic_clips import COLOURS, MOTIONS, SCENES, SHAPES, TEMPLATES, caption_for, caption_vocabulary

TINY_LLM_DIR = Path(__file__).resolve().parent / "tiny_llm"
SAMPLE_RECORDS = Path(__file__).resolve().parent.parent / "bench" / "sample" / "records.jsonl"
MAX_TOKENS = 64  # bos + text + eos during pretraining; the sample's junk titles run to 1,000 characters


def all_captions() -> list[str]:
    """Every caption the synthetic clips can carry (each attribute combination under each template)."""
    combos = itertools.product(SHAPES, COLOURS, MOTIONS, SCENES, range(len(TEMPLATES)))
    return [caption_for({"shape": s, "colour": c, "motion": m, "scene": sc, "template": t})
            for s, c, m, sc, t in combos]


def sample_titles(path: str | Path = SAMPLE_RECORDS) -> list[str]:
    """Titles of the bundled sample corpus; it is deliberately dirty, so undecodable or title-less lines are skipped."""
    titles = []
    for line in Path(path).read_bytes().splitlines():
        try:
            title = json.loads(line.decode("utf-8")).get("title")
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            continue
        if isinstance(title, str) and title.strip():
            titles.append(title)
    return titles


def hf_char_tokenizer(char_tok: CharTokenizer):
    """A PreTrainedTokenizerFast giving the same ids as `char_tok.encode` (WordLevel over single characters)."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.WordLevel(vocab=dict(char_tok.index), unk_token=SPECIALS[3]))
    core.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Replace(Regex(r"\s"), "")])
    core.pre_tokenizer = pre_tokenizers.Split(Regex("."), behavior="isolated")
    core.decoder = decoders.Fuse()  # characters join without spaces
    pad, bos, eos, unk = SPECIALS
    return PreTrainedTokenizerFast(tokenizer_object=core, pad_token=pad, bos_token=bos, eos_token=eos,
                                   unk_token=unk, clean_up_tokenization_spaces=False, model_max_length=256)


def tiny_llm_config(vocab_size: int, **overrides):
    from transformers import GPT2Config

    cfg = dict(vocab_size=vocab_size, n_positions=256, n_embd=128, n_layer=3, n_head=4, n_inner=512,
               resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0, tie_word_embeddings=True,
               pad_token_id=0, bos_token_id=1, eos_token_id=2)
    cfg.update(overrides)
    return GPT2Config(**cfg)


def _batch(rows: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(map(len, rows))
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    mask = torch.zeros(len(rows), width, dtype=torch.long)
    for i, row in enumerate(rows):
        ids[i, :len(row)] = torch.tensor(row)
        mask[i, :len(row)] = 1
    return ids, mask


def lm_loss(model, sequences: list[list[int]], batch_size: int = 256) -> float:
    """Mean next-token cross-entropy per predicted token over `sequences` (bos ... eos id lists)."""
    total, count = 0.0, 0
    model.eval()
    with torch.no_grad():
        for start in range(0, len(sequences), batch_size):
            ids, mask = _batch(sequences[start:start + batch_size])
            logits = model(input_ids=ids, attention_mask=mask).logits[:, :-1].float()
            target = ids[:, 1:].masked_fill(mask[:, 1:] == 0, -100)
            total += torch.nn.functional.cross_entropy(logits.transpose(1, 2), target, reduction="sum").item()
            count += int((target != -100).sum())
    return total / count


def build_tiny_llm(output: str | Path = TINY_LLM_DIR, *, steps: int = 500, seed: int = 0, batch_size: int = 64,
                   lr: float = 3e-3, title_weight: int = 4, config_overrides: dict | None = None,
                   log_every: int = 0) -> dict:
    """Build, pretrain and save the tiny LM and its tokenizer; returns the card (also written to card.json)."""
    from transformers import AutoModelForCausalLM

    t0 = time.perf_counter()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    captions, titles = all_captions(), sample_titles()
    char_tok = CharTokenizer.from_corpus(["".join(caption_vocabulary())] + captions + titles, context_length=80)
    tokenizer = hf_char_tokenizer(char_tok)
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    encode = lambda text: [bos] + char_tok.encode(text)[:MAX_TOKENS - 2] + [eos]  # noqa: E731
    caption_seqs, title_seqs = [encode(t) for t in captions], [encode(t) for t in titles]
    pool = caption_seqs + title_seqs * title_weight  # titles are few and varied: show them more often
    model = AutoModelForCausalLM.from_config(tiny_llm_config(char_tok.vocab_size, **(config_overrides or {})))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=0.01)
    warmup = max(1, steps // 20)
    schedule = lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * s / max(1, steps)))  # noqa: E731
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    losses = []
    model.train()
    for step in range(steps):
        ids, mask = _batch([pool[i] for i in rng.integers(0, len(pool), size=batch_size)])
        loss = model(input_ids=ids, attention_mask=mask, labels=ids.masked_fill(mask == 0, -100)).loss
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        losses.append(loss.item())
        if log_every and (step + 1) % log_every == 0:
            print(f"step {step + 1}/{steps} loss {np.mean(losses[-log_every:]):.4f}", flush=True)
    train_seconds = time.perf_counter() - t0
    model.eval()
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(output)
    tokenizer.save_pretrained(output)
    card = {
        "what": "tiny frozen Chinese causal LM standing in for mPLUG-video's 1B-class LLM in tests and the demo; "
                "character-level tokenizer; add bos/eos yourself (the tokenizer adds no special tokens)",
        "architecture": type(model).__name__, "params": sum(p.numel() for p in model.parameters()),
        "vocab_size": char_tok.vocab_size, "trained_on": f"{len(captions)} synthetic captions (every combination, "
        f"models.synthetic_clips) + {len(titles)} titles of bench/sample/records.jsonl (x{title_weight})",
        "command": f"python -m models.tiny_llm --output {output} --steps {steps} --seed {seed}",
        "steps": steps, "seed": seed, "batch_size": batch_size, "lr": lr,
        "first_train_loss": round(float(np.mean(losses[:10])), 4) if losses else None,
        "final_train_loss": round(float(np.mean(losses[-20:])), 4) if losses else None,
        "caption_lm_loss": round(lm_loss(model, caption_seqs), 4),   # nats per token, after training
        "title_lm_loss": round(lm_loss(model, title_seqs), 4),
        "uniform_loss": round(math.log(char_tok.vocab_size), 4),     # what an untrained model would score
        "train_seconds": round(train_seconds, 1), "torch": torch.__version__, "machine": platform.machine(),
    }
    card["files"] = {p.name: p.stat().st_size for p in sorted(output.iterdir()) if p.name != "card.json"}
    card["model_sha256"] = sha256_file(output / "model.safetensors")
    (output / "card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return card


def main(argv: list[str] | None = None) -> dict:
    p = argparse.ArgumentParser(prog="python -m models.tiny_llm", description=__doc__.splitlines()[0])
    p.add_argument("--output", default=str(TINY_LLM_DIR))
    p.add_argument("--steps", type=int, default=500)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--log-every", type=int, default=100)
    args = p.parse_args(argv)
    card = build_tiny_llm(args.output, steps=args.steps, seed=args.seed, log_every=args.log_every)
    print(json.dumps({k: card[k] for k in ("params", "vocab_size", "caption_lm_loss", "title_lm_loss",
                                           "uniform_loss", "train_seconds")}, ensure_ascii=False))
    return card


if __name__ == "__main__":
    main()
