"""Train a tiny open_clip model on synthetic Chinese video-caption clips (CPU, a few minutes, deterministic).

No pretrained CLIP weights can be fetched here, so tests and the demo use this model, loaded through the same
`models.clip_model.load_clip` code as a real checkpoint. Regenerate the committed checkpoint with:

    python -m models.train_clip --output models/tiny_clip

Writes model.pt (state dict), model_config.json (open_clip architecture), vocab.json (character tokenizer) and
metrics.json (losses, time, held-out ROC AUC of matched vs shuffled clip-caption pairs, measured after reloading).
"""
from __future__ import annotations

import argparse
import json
import math
import platform
import time
from pathlib import Path

import numpy as np
import torch

from .char_tokenizer import EOT_ID, PAD_ID, CharTokenizer
from .clip_model import ClipBundle, frame_preprocessor, load_clip, register_open_clip_config, sha256_file
from .synthetic_clips import caption_vocabulary, make_dataset

EVAL_SEED_OFFSET = 1_000_003  # held-out clips never share a generator seed with the training clips


def tiny_config(vocab_size: int, context_length: int = 32, *, image_size: int = 64, patch_size: int = 8,
                vision_width: int = 128, vision_layers: int = 3, text_width: int = 128, text_layers: int = 2,
                embed_dim: int = 128) -> dict:
    """open_clip architecture config for the tiny CLIP (text tower pools at the char tokenizer's eot)."""
    return {
        "embed_dim": embed_dim,
        "vision_cfg": {"image_size": image_size, "patch_size": patch_size, "width": vision_width,
                       "layers": vision_layers, "head_width": 32, "mlp_ratio": 4.0},
        "text_cfg": {"context_length": context_length, "vocab_size": vocab_size, "width": text_width,
                     "heads": max(1, text_width // 32), "layers": text_layers, "mlp_ratio": 4.0,
                     "pool_type": "eos", "eos_id": EOT_ID, "pad_id": PAD_ID},
    }


def roc_auc(positive_scores, negative_scores) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney U) formula, ties counted as half."""
    pos = np.asarray(positive_scores, np.float64).ravel()
    neg = np.asarray(negative_scores, np.float64).ravel()
    if not len(pos) or not len(neg):
        raise ValueError("need at least one positive and one negative score")
    scores = np.concatenate([pos, neg])
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores), np.float64)
    sorted_scores = scores[order]
    start = 0
    while start < len(scores):  # average ranks over runs of equal scores
        end = start
        while end + 1 < len(scores) and sorted_scores[end + 1] == sorted_scores[start]:
            end += 1
        ranks[order[start:end + 1]] = (start + end) / 2.0 + 1.0
        start = end + 1
    u = ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2.0
    return float(u / (len(pos) * len(neg)))


def clip_embeddings(bundle: ClipBundle, frames: np.ndarray, captions: list[str], batch_size: int = 256):
    """(clip embeddings: mean of frame embeddings re-normalised, caption embeddings); frames (N, [T,] H, W, 3)."""
    frames = np.asarray(frames)
    if frames.ndim == 4:
        frames = frames[:, None]
    n, t = frames.shape[:2]
    img = bundle.embed_images(frames.reshape(n * t, *frames.shape[2:]), batch_size).reshape(n, t, -1).mean(1)
    img /= np.linalg.norm(img, axis=1, keepdims=True) + 1e-12
    return img, bundle.embed_texts(captions, batch_size)


def evaluate_auc(bundle: ClipBundle, frames: np.ndarray, captions: list[str], seed: int = 0) -> float:
    """ROC AUC separating matched (clip i, caption i) from shuffled (clip i, caption p(i), p a derangement) pairs."""
    if len(captions) < 2:
        raise ValueError("need at least two clips")
    img, txt = clip_embeddings(bundle, frames, captions)
    n = len(captions)
    perm = (np.arange(n) + np.random.default_rng(seed).integers(1, n, size=n)) % n  # never maps i to itself
    return roc_auc((img * txt).sum(1), (img * txt[perm]).sum(1))


def _param_groups(model: torch.nn.Module, weight_decay: float):
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        is_gain = p.ndim < 2 or "bn" in name or "ln" in name or "logit_scale" in name or "embedding" in name
        (no_decay if is_gain else decay).append(p)
    return [{"params": no_decay, "weight_decay": 0.0}, {"params": decay, "weight_decay": weight_decay}]


def train_tiny_clip(output_dir: str | Path, *, samples: int = 3000, epochs: int = 12, batch_size: int = 128,
                    lr: float = 2e-3, weight_decay: float = 0.05, warmup_steps: int = 30, eval_samples: int = 400,
                    seed: int = 0, model_overrides: dict | None = None, log_every: int = 0) -> dict:
    """Train, save and re-evaluate the tiny CLIP; returns the metrics dict also written to metrics.json."""
    import open_clip

    t_start = time.perf_counter()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)

    frames, captions, _ = make_dataset(samples, seed=seed)
    tokenizer = CharTokenizer.from_corpus(["".join(caption_vocabulary())] + captions, context_length=32)
    cfg = tiny_config(tokenizer.vocab_size, tokenizer.context_length, **(model_overrides or {}))
    model = open_clip.create_model(register_open_clip_config("tiny-clip", cfg), pretrained=None, output_dict=True)
    pp = open_clip.get_model_preprocess_cfg(model)
    preprocess = frame_preprocessor(pp["size"], pp["mean"], pp["std"], pp.get("interpolation", "bicubic"))
    tokens = tokenizer(captions, tokenizer.context_length)
    loss_fn = open_clip.ClipLoss()
    optimizer = torch.optim.AdamW(_param_groups(model, weight_decay), lr=lr, betas=(0.9, 0.98), eps=1e-6)
    steps_per_epoch = max(1, samples // batch_size)
    total_steps = steps_per_epoch * epochs
    schedule = lambda s: min(1.0, (s + 1) / max(1, warmup_steps)) * 0.5 * (1 + math.cos(math.pi * s / total_steps))  # noqa: E731
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    t_data = time.perf_counter() - t_start

    model.train()
    epoch_losses, step = [], 0
    for epoch in range(epochs):
        order = rng.permutation(samples)
        losses = []
        for b in range(steps_per_epoch):
            idx = np.sort(order[b * batch_size:(b + 1) * batch_size])
            frame_idx = rng.integers(0, frames.shape[1], size=len(idx))  # one random frame per clip
            images = preprocess(frames[idx, frame_idx])
            out = model(images, tokens[idx])
            loss = loss_fn(out["image_features"], out["text_features"], out["logit_scale"])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 3.0)
            optimizer.step()
            scheduler.step()
            with torch.no_grad():
                model.logit_scale.clamp_(0, math.log(100))
            losses.append(float(loss.detach()))
            step += 1
            if log_every and step % log_every == 0:
                print(f"step {step}/{total_steps} loss {losses[-1]:.3f} t={time.perf_counter() - t_start:.0f}s")
        epoch_losses.append(float(np.mean(losses)))
    t_train = time.perf_counter() - t_start - t_data

    model.eval()
    torch.save(model.state_dict(), output_dir / "model.pt")
    (output_dir / "model_config.json").write_text(json.dumps(cfg, indent=2), encoding="utf-8")
    tokenizer.save(output_dir / "vocab.json")

    bundle = load_clip(output_dir, device="cpu", precision="fp32")  # evaluate what was saved, via the real loader
    eval_frames, eval_captions, _ = make_dataset(eval_samples, seed=seed + EVAL_SEED_OFFSET)
    auc = evaluate_auc(bundle, eval_frames, eval_captions, seed=seed)
    metrics = {
        "heldout_auc": round(auc, 4), "heldout_samples": eval_samples, "heldout_seed": seed + EVAL_SEED_OFFSET,
        "first_epoch_loss": round(epoch_losses[0], 4), "final_epoch_loss": round(epoch_losses[-1], 4),
        "epoch_losses": [round(x, 4) for x in epoch_losses], "train_seconds": round(t_train, 1),
        "data_seconds": round(t_data, 1), "total_seconds": round(time.perf_counter() - t_start, 1),
        "samples": samples, "epochs": epochs, "batch_size": batch_size, "steps": total_steps, "lr": lr,
        "seed": seed, "params": sum(p.numel() for p in model.parameters()), "vocab_size": tokenizer.vocab_size,
        "checkpoint_bytes": (output_dir / "model.pt").stat().st_size, "checkpoint_sha256": bundle.fingerprint,
        "torch": torch.__version__, "open_clip": open_clip.__version__, "threads": torch.get_num_threads(),
        "machine": platform.machine(),
    }
    (output_dir / "metrics.json").write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    return metrics


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", default="models/tiny_clip", help="directory for model.pt, model_config.json, ...")
    parser.add_argument("--samples", type=int, default=3000)
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=20)
    args = parser.parse_args(argv)
    metrics = train_tiny_clip(args.output, samples=args.samples, epochs=args.epochs, batch_size=args.batch_size,
                              lr=args.lr, seed=args.seed, log_every=args.log_every)
    print(json.dumps({k: v for k, v in metrics.items() if k != "epoch_losses"}, ensure_ascii=False))
    return 0 if metrics["heldout_auc"] >= 0.9 else 1


if __name__ == "__main__":
    raise SystemExit(main())
