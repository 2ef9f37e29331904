"""mPLUG-video: a trainable video encoder and visual abstractor in front of a frozen decoder-only LLM.

The abstractor's query outputs, projected to the LLM width, are prepended to the title's token embeddings; the loss
is next-token cross-entropy on the title tokens and the closing eos only (visual prefix, bos and padding are -100),
so the LLM learns nothing and the visual side learns to write a prefix from which the frozen LLM reproduces the
title. The LLM is touched only through `get_input_embeddings()`, `inputs_embeds`, `attention_mask` and its KV
cache (`cache`, formerly `past_key_values`), so any transformers causal LM works (GPT-2, Qwen2, BLOOM, Llama...).

Text layout (`tokenize_titles`): [bos if the tokenizer has one] title tokens eos, right-padded, at most
max_text_tokens. `forward` returns `logits` (B, L, V) aligned with input_ids: logits[:, j] is the prediction of
input_ids[:, j] from the video and the tokens before j. Encoder and abstractor stay float32 (use autocast for mixed
precision); only the frozen LLM takes the configured dtype.
"""
from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .abstractor import AbstractorConfig, VisualAbstractor
from .contrastive import ContrastiveConfig, ContrastiveHead
from .video_encoder import LoadReport, TimeSformer, VideoEncoderConfig, load_open_clip_visual, source_uses_quick_gelu

PACKAGE_ROOT = Path(__file__).resolve().parent.parent  # holds models/ (repo checkout or site-packages)
IGNORE = -100
_DTYPES = {"float32": torch.float32, "fp32": torch.float32, "float16": torch.float16, "fp16": torch.float16,
           "bfloat16": torch.bfloat16, "bf16": torch.bfloat16}


class MplugVideo(nn.Module):
    def __init__(self, encoder: TimeSformer, abstractor: VisualAbstractor, llm: nn.Module, tokenizer: Any = None, *,
                 max_text_tokens: int = 80, add_bos: bool | None = None, contrastive: ContrastiveHead | None = None):
        super().__init__()
        hidden = llm.get_input_embeddings().embedding_dim
        if abstractor.output_dim != hidden:
            raise ValueError(f"abstractor projects to {abstractor.output_dim}, the LLM embeds at {hidden}")
        self.encoder, self.abstractor, self.llm = encoder, abstractor, llm
        self.contrastive = contrastive  # optional ITC head (models/contrastive.py): retrieval by embeddings
        self.llm.requires_grad_(False)
        self.llm.eval()
        self.tokenizer = tokenizer
        self.max_text_tokens = int(max_text_tokens)
        source = tokenizer if tokenizer is not None else llm.config
        eos = getattr(source, "eos_token_id", None)
        if eos is None:
            raise ValueError("the tokenizer/LLM defines no eos token: titles could never end")
        self.eos_ids = [int(e) for e in (eos if isinstance(eos, (list, tuple)) else [eos])]
        bos = getattr(source, "bos_token_id", None)
        self.bos_id = bos if (add_bos if add_bos is not None else bos is not None) else None
        pad = getattr(source, "pad_token_id", None)
        self.pad_id = int(pad) if pad is not None else self.eos_ids[0]
        params = inspect.signature(llm.forward).parameters
        self._keep = "logits_to_keep" in params  # skip the prefix's logits where the model can
        self._cache_arg = "cache" if "cache" in params else "past_key_values"  # renamed in transformers 5.x
        self.init_report: LoadReport | None = None

    def train(self, mode: bool = True) -> "MplugVideo":
        super().train(mode)
        self.llm.eval()  # frozen means frozen: no dropout, and HF layers keep inference behaviour
        return self

    @property
    def device(self) -> torch.device:
        return self.abstractor.queries.device

    def _embed(self, ids: torch.Tensor) -> torch.Tensor:
        return self.llm.get_input_embeddings()(ids)

    def _llm(self, embeds: torch.Tensor, mask: torch.Tensor, keep: int, **kwargs):
        extra = {"logits_to_keep": keep} if self._keep else {}
        return self.llm(inputs_embeds=embeds, attention_mask=mask, **extra, **kwargs)

    def encode_video(self, video: torch.Tensor) -> torch.Tensor:
        """(B, T, 3, H, W) -> (B, num_queries, llm_hidden) prefix embeddings in the LLM's dtype."""
        return self.abstractor(self.encoder(video)).to(self.llm.dtype)

    def video_features(self, video: torch.Tensor) -> torch.Tensor:
        """(B, abstractor width) pooled features for a linear probe: mean of the query outputs before projection."""
        return self.abstractor.encode(self.encoder(video)).mean(1)

    def tokenize_titles(self, titles: Sequence[str], tokenizer: Any = None) -> dict[str, torch.Tensor]:
        """[bos] title eos, truncated so eos always fits in max_text_tokens, right-padded; on the model's device."""
        tok = tokenizer or self.tokenizer
        room = self.max_text_tokens - 1 - (self.bos_id is not None)
        rows = [([self.bos_id] if self.bos_id is not None else []) + tok(t, add_special_tokens=False)["input_ids"][
            :room] + [self.eos_ids[0]] for t in titles]
        width = max(map(len, rows))
        ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, :len(row)], mask[i, :len(row)] = torch.tensor(row), 1
        return {"input_ids": ids.to(self.device), "attention_mask": mask.to(self.device)}

    def text_labels(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """Targets for the text positions: real tokens up to and including the first eos; a leading bos, padding
        and anything after that eos are IGNORE (-100)."""
        keep = attention_mask.bool().clone()
        start = 0
        if self.bos_id is not None:
            keep[:, 0] &= input_ids[:, 0] != self.bos_id
            start = 1
        is_eos = torch.isin(input_ids, torch.tensor(self.eos_ids, device=input_ids.device)) & keep
        is_eos[:, :start] = False
        after_eos = (is_eos.long().cumsum(1) - is_eos.long()) > 0  # strictly after the first eos
        return input_ids.masked_fill(~keep | after_eos, IGNORE)

    def text_hidden(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The frozen LLM's last hidden states over titles alone (no video), without gradients: (B, L, hidden)."""
        with torch.no_grad():
            out = self._llm(self._embed(input_ids), attention_mask, 1, use_cache=False, output_hidden_states=True)
        return out.hidden_states[-1]

    def embed_texts(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """(B, dim) unit ITC embeddings of tokenised titles (needs the contrastive head)."""
        return self.contrastive.embed_text(self.text_hidden(input_ids, attention_mask), attention_mask)

    def embed_videos(self, video: torch.Tensor) -> torch.Tensor:
        """(B, dim) unit ITC embeddings of videos (needs the contrastive head)."""
        return self.contrastive.embed_video(self.video_features(video))

    def forward(self, video: torch.Tensor, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                labels: torch.Tensor | None = None) -> dict[str, torch.Tensor]:
        """-> {loss: mean CE over label tokens (+ weight x InfoNCE with the contrastive head), caption_loss,
        itc_loss (with the head), logits (B, L, V) aligned with input_ids, labels (B, L), num_label_tokens}; labels
        default to `text_labels(input_ids, attention_mask)`."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        queries = self.abstractor.encode(self.encoder(video))
        logits = self._text_logits(self.abstractor.proj(queries).to(self.llm.dtype), input_ids, attention_mask)
        labels = self.text_labels(input_ids, attention_mask) if labels is None else labels
        loss = F.cross_entropy(logits.float().flatten(0, 1), labels.flatten(), ignore_index=IGNORE)
        out = {"loss": loss, "caption_loss": loss.detach(), "logits": logits, "labels": labels,
               "num_label_tokens": (labels != IGNORE).sum()}
        if self.contrastive is not None:
            itc = self.contrastive.loss(self.contrastive.embed_video(queries.mean(1)),
                                        self.embed_texts(input_ids, attention_mask),
                                        input_ids.masked_fill(attention_mask == 0, -1))
            out.update(loss=loss + self.contrastive.config.weight * itc, itc_loss=itc.detach())
        return out

    def _text_logits(self, prefix: torch.Tensor, input_ids: torch.Tensor,
                     attention_mask: torch.Tensor) -> torch.Tensor:
        """Logits (B, L, V) of the title positions after the visual prefix (B, Q, hidden)."""
        b, q, length = prefix.shape[0], prefix.shape[1], input_ids.shape[1]
        embeds = torch.cat([prefix, self._embed(input_ids)], dim=1)
        mask = torch.cat([attention_mask.new_ones(b, q), attention_mask], dim=1)
        return self._llm(embeds, mask, length + 1, use_cache=False).logits[:, -(length + 1):-1]

    @torch.no_grad()
    def title_log_likelihood(self, prefix: torch.Tensor, input_ids: torch.Tensor,
                             attention_mask: torch.Tensor) -> torch.Tensor:
        """(B,) mean log-probability per title token of each title after its visual prefix (``encode_video``):
        how the frozen-LLM model ranks captions without a contrastive head."""
        labels = self.text_labels(input_ids, attention_mask)
        logits = self._text_logits(prefix, input_ids, attention_mask).float()
        logp = torch.log_softmax(logits, -1).gather(-1, labels.clamp_min(0)[..., None])[..., 0]
        real = labels != IGNORE
        return (logp * real).sum(1) / real.sum(1).clamp_min(1)

    @torch.no_grad()
    def generate(self, video: torch.Tensor, tokenizer: Any = None, max_new_tokens: int = 40,
                 use_cache: bool = True) -> list[str]:
        """Greedy titles for a batch of videos. Every prompt is the same length (num_queries [+ bos]), so a batch
        needs no padding; rows that reach eos are padded with pad tokens while the others finish.
        use_cache=False re-runs the whole sequence each step (the slow reference the cache path must match)."""
        tok = tokenizer or self.tokenizer
        embeds = self.encode_video(video)
        b = embeds.shape[0]
        if self.bos_id is not None:
            embeds = torch.cat([embeds, self._embed(torch.full((b, 1), self.bos_id, device=embeds.device))], 1)
        mask = torch.ones(b, embeds.shape[1], dtype=torch.long, device=embeds.device)
        eos = torch.tensor(self.eos_ids, device=embeds.device)
        out = self._llm(embeds, mask, 1, use_cache=use_cache)
        done = torch.zeros(b, dtype=torch.bool, device=embeds.device)
        steps = []
        for _ in range(max_new_tokens):
            nxt = out.logits[:, -1].argmax(-1).masked_fill(done, self.pad_id)
            steps.append(nxt)
            done |= torch.isin(nxt, eos)
            if done.all() or len(steps) == max_new_tokens:
                break
            mask = torch.cat([mask, mask.new_ones(b, 1)], dim=1)
            if use_cache:
                cache = out.get("cache") if out.get("cache") is not None else out.get("past_key_values")
                out = self._llm(self._embed(nxt[:, None]), mask, 1, use_cache=True, **{self._cache_arg: cache})
            else:
                embeds = torch.cat([embeds, self._embed(nxt[:, None])], dim=1)
                out = self._llm(embeds, mask, 1, use_cache=False)
        ids = torch.stack(steps, 1).tolist() if steps else [[] for _ in range(b)]
        texts = []
        for row in ids:
            cut = next((i for i, t in enumerate(row) if t in self.eos_ids), len(row))
            texts.append(tok.decode(row[:cut], skip_special_tokens=True))
        return texts

    def parameter_counts(self) -> dict[str, int]:
        counts = {"trainable": 0, "frozen": 0}
        for p in self.parameters():
            counts["trainable" if p.requires_grad else "frozen"] += p.numel()
        return counts

    def trainable_state_dict(self) -> dict[str, torch.Tensor]:
        """Encoder + abstractor (incl. the LLM projection): everything a checkpoint must hold; the LLM is reloaded
        from its own path."""
        return {f"{name}.{k}": v for name in self._trainable_parts()
                for k, v in getattr(self, name).state_dict().items()}

    def _trainable_parts(self) -> tuple[str, ...]:
        return ("encoder", "abstractor") + (("contrastive",) if self.contrastive is not None else ())

    def load_trainable_state_dict(self, state: dict[str, torch.Tensor], strict: bool = True) -> dict[str, list]:
        parts = self._trainable_parts()
        stray = [k for k in state if not k.startswith(tuple(f"{name}." for name in parts))]
        if stray and strict:
            raise ValueError(f"not trainable-state keys: {stray[:5]}{' ...' if len(stray) > 5 else ''}")
        result = {"missing": [], "unexpected": list(stray)}
        for name in parts:
            part = {k[len(name) + 1:]: v for k, v in state.items() if k.startswith(name + ".")}
            res = getattr(self, name).load_state_dict(part, strict=strict)
            result["missing"] += [f"{name}.{k}" for k in res.missing_keys]
            result["unexpected"] += [f"{name}.{k}" for k in res.unexpected_keys]
        return result


def resolve_path(value: str | Path) -> str:
    """A local path as given (cwd), else under the package root (models/ ships as package data), else unchanged
    (a hub name, resolved by its own library from the local cache)."""
    path = Path(value).expanduser()
    if path.exists():
        return str(path)
    if not path.is_absolute() and (PACKAGE_ROOT / path).exists():
        return str(PACKAGE_ROOT / path)
    return str(value)


def _dtype(value: torch.dtype | str | None, device: str) -> torch.dtype:
    if isinstance(value, torch.dtype):
        return value
    if value in (None, "auto"):
        return torch.bfloat16 if device.startswith("cuda") else torch.float32
    if value not in _DTYPES:
        raise ValueError(f"llm dtype must be auto or one of {', '.join(_DTYPES)}; got {value!r}")
    return _DTYPES[value]


def _init_source(init: str | None) -> nn.Module | None:
    """vision.init -> an open_clip CLIP model to copy from (None = random init)."""
    if not init:
        return None
    import open_clip

    if str(init).startswith("open_clip:"):
        _, arch, tag = (str(init).split(":", 2) + [""])[:3]
        quick = bool((open_clip.get_pretrained_cfg(arch, tag) or {}).get("quick_gelu", False))
        try:
            return open_clip.create_model(arch, pretrained=tag or None, force_quick_gelu=quick, device="cpu")
        except Exception as exc:  # offline without a cached copy, unknown tag
            raise RuntimeError(f"vision.init {init!r}: open_clip could not load {arch} / {tag} (weights must be in "
                               f"the local cache when offline): {exc}") from exc
    from .clip_model import load_clip

    path = resolve_path(init)
    if not Path(path).is_dir():
        raise FileNotFoundError(f"vision.init {init!r}: not a checkpoint directory nor open_clip:ARCH:TAG")
    return load_clip(path, device="cpu", precision="fp32").model


def _check_keys(section: dict, allowed: set[str], where: str) -> dict:
    unknown = sorted(set(section) - allowed)
    if unknown:
        raise ValueError(f"unknown key(s) in {where}: {unknown}; allowed: {sorted(allowed)}")
    return section


def build_mplug_video(model_cfg: dict, device: str = "cpu", dtype: torch.dtype | str | None = None) -> MplugVideo:
    """Assemble the model from a config's `model:` section (or a whole config holding one); see configs/pretrain_*.
    `dtype` overrides llm.dtype for the frozen LLM; the trainable parts are always float32."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from .clip_model import resolve_device

    cfg = _check_keys(model_cfg.get("model", model_cfg), {"vision", "abstractor", "llm", "max_text_tokens",
                                                          "contrastive"}, "model")
    device = resolve_device(device)
    vision_args = _check_keys(dict(cfg.get("vision") or {}), set(VideoEncoderConfig.__dataclass_fields__) | {"init"},
                              "model.vision")
    source = _init_source(vision_args.pop("init", None))
    if source is not None and vision_args.get("quick_gelu") is None:  # follow the weights actually loaded
        vision_args["quick_gelu"] = source_uses_quick_gelu(source)
    encoder = TimeSformer(VideoEncoderConfig(**{k: v for k, v in vision_args.items() if v is not None}))
    report = load_open_clip_visual(encoder, source) if source is not None else None

    llm_cfg = _check_keys(dict(cfg.get("llm") or {}), {"path", "dtype", "tokenizer", "add_bos"}, "model.llm")
    if not llm_cfg.get("path"):
        raise ValueError("model.llm.path is required (a local directory or a hub name)")
    llm_path = resolve_path(llm_cfg["path"])
    llm = AutoModelForCausalLM.from_pretrained(llm_path, dtype=_dtype(dtype or llm_cfg.get("dtype"), device))
    tokenizer = AutoTokenizer.from_pretrained(resolve_path(llm_cfg.get("tokenizer") or llm_cfg["path"]))

    abs_args = _check_keys(dict(cfg.get("abstractor") or {}), {"num_queries", "width", "layers", "heads", "mlp_ratio"},
                           "model.abstractor")
    abs_args.setdefault("width", encoder.width)
    abs_args.update(vision_width=encoder.width, output_dim=llm.get_input_embeddings().embedding_dim)
    abstractor = VisualAbstractor(AbstractorConfig(**abs_args))
    max_text = int(cfg.get("max_text_tokens", 80))
    limit = getattr(llm.config, "max_position_embeddings", None)
    if limit is not None and abstractor.config.num_queries + max_text > limit:
        raise ValueError(f"{abstractor.config.num_queries} queries + {max_text} text tokens exceed the LLM's "
                         f"{limit} positions")
    head = None
    if cfg.get("contrastive"):  # optional ITC head; absent or null = the paper's model
        head_cfg = ContrastiveConfig(**_check_keys(dict(cfg["contrastive"]),
                                                   set(ContrastiveConfig.__dataclass_fields__), "model.contrastive"))
        head = ContrastiveHead(abstractor.config.width, llm.get_input_embeddings().embedding_dim, head_cfg)
    model = MplugVideo(encoder, abstractor, llm, tokenizer, max_text_tokens=max_text, add_bos=llm_cfg.get("add_bos"),
                       contrastive=head)
    model.init_report = report
    return model.to(device)
