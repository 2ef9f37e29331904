"""``ykcurate bench train``: training-step throughput of mPLUG-video at the tiny and the paper-scale configuration,
and on a GPU the model FLOPs utilisation (MFU).

Inputs are synthetic tensors of the configured shape (the loader is measured by the data tests and ``pretrain``'s
own samples/s), so this isolates the step: forward through the trainable encoder and abstractor and the frozen LLM,
backward (weight gradients only for the trainable parts, input gradients through the LLM), AdamW. The base
configuration is built with random weights from its sizes (ViT-B/16 at 224 px, 128 queries, a Qwen2-1.5B-shaped LLM):
throughput does not depend on the values, and no weights can be downloaded here.

FLOPs per sample use the usual estimate: 6 x params x tokens for parts that get weight gradients, 4 x params x tokens
for the frozen LLM (forward + input-gradient backward), attention score FLOPs left out; MFU divides the achieved
rate by the accelerator's dense bf16 peak.
"""
from __future__ import annotations

import time
from typing import Any

import torch

from training.loop import autocast, autocast_dtype
from training.recipe import load_recipe
from training.schedule import make_optimizer

# 1B-class stand-in with Qwen2.5-1.5B's shape (the paper's frozen LLM was a 1.3B Chinese GPT-3).
QWEN2_1_5B = dict(vocab_size=151936, hidden_size=1536, intermediate_size=8960, num_hidden_layers=28,
                  num_attention_heads=12, num_key_value_heads=2, max_position_embeddings=4096,
                  tie_word_embeddings=True, bos_token_id=151643, eos_token_id=151643)
PEAK_BF16_TFLOPS = {"H100": 989.0, "H200": 989.0, "A100": 312.0, "L4": 121.0}


def random_model(recipe, device: str, llm_dtype: torch.dtype):
    """The recipe's architecture with random weights: the LLM from its local config, or Qwen2-1.5B-shaped when
    the recipe names a hub model (not available offline)."""
    from pathlib import Path

    from transformers import AutoConfig, AutoModelForCausalLM, Qwen2Config, Qwen2ForCausalLM

    from models.abstractor import AbstractorConfig, VisualAbstractor
    from models.mplug_video import MplugVideo, resolve_path
    from models.video_encoder import TimeSformer, VideoEncoderConfig

    vision = {k: v for k, v in recipe.model["vision"].items() if k != "init" and v is not None}
    encoder = TimeSformer(VideoEncoderConfig(**vision))
    local = resolve_path(recipe.model["llm"]["path"])
    if Path(local).is_dir():
        llm = AutoModelForCausalLM.from_config(AutoConfig.from_pretrained(local))
    else:
        llm = Qwen2ForCausalLM(Qwen2Config(**QWEN2_1_5B))
    llm = llm.to(llm_dtype)
    hidden = llm.get_input_embeddings().embedding_dim
    abs_args = dict(recipe.model.get("abstractor") or {})
    abs_args.update(vision_width=encoder.width, output_dim=hidden)
    abs_args.setdefault("width", encoder.width)
    return MplugVideo(encoder, VisualAbstractor(AbstractorConfig(**abs_args)), llm,
                      max_text_tokens=recipe.model.get("max_text_tokens", 80)).to(device)


def _peak_tflops(device: str) -> float | None:
    if not device.startswith("cuda"):
        return None
    name = torch.cuda.get_device_name(torch.device(device))
    return next((v for k, v in PEAK_BF16_TFLOPS.items() if k in name), None)


def run_train_bench(config: str, batch: int, steps: int, frames: int, text_tokens: int = 32,
                    device: str = "auto") -> dict[str, Any]:
    recipe = load_recipe(config)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if device == "auto" else device
    dtype = autocast_dtype(recipe.train.precision, device)
    torch.manual_seed(0)
    model = random_model(recipe, device, torch.bfloat16 if device.startswith("cuda") else torch.float32)
    counts = model.parameter_counts()
    optimizer = make_optimizer([(n, p) for n, p in model.named_parameters() if p.requires_grad], recipe.train)
    size = model.encoder.config.image_size
    video = torch.randn(batch, frames, 3, size, size, device=device)
    ids = torch.randint(4, 1000, (batch, text_tokens), device=device)
    mask = torch.ones_like(ids)
    model.train()

    def step() -> None:
        with autocast(device, dtype):
            loss = model(video, ids, mask)["loss"]
        loss.backward()
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    step()  # warm-up: allocator, kernels, autotuning
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    seconds = (time.perf_counter() - started) / steps
    encoder_params = sum(p.numel() for p in model.encoder.parameters())
    abstractor_params = sum(p.numel() for p in model.abstractor.parameters())
    vision_tokens = model.encoder.num_tokens(frames)
    queries = model.abstractor.config.num_queries
    flops = batch * (6 * encoder_params * vision_tokens + 6 * abstractor_params * (queries + vision_tokens)
                     + 4 * counts["frozen"] * (queries + text_tokens))
    peak = _peak_tflops(device)
    achieved = flops / seconds / 1e12
    return {"config": config, "device": torch.cuda.get_device_name(0) if device.startswith("cuda") else "cpu",
            "precision": str(dtype or "fp32"), "batch": batch, "frames": frames, "text_tokens": text_tokens,
            "trainable_params": counts["trainable"], "frozen_params": counts["frozen"],
            "seconds_per_step": round(seconds, 4), "samples_per_s": round(batch / seconds, 2),
            "model_tflops_per_s": round(achieved, 3), "mfu": round(achieved / peak, 4) if peak else None,
            "torch_threads": torch.get_num_threads()}
