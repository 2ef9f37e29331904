"""Load a CLIP model for frame-title similarity: open_clip (hub tag or local checkpoint) or Chinese-CLIP (transformers).

Spec forms (a dict, or a string: a JSON object, a path to a JSON spec file, or a checkpoint directory):
  {"kind": "open_clip", "arch": "ViT-B-32", "pretrained": "laion2b_s34b_b79k"}        open_clip tag (download/cache)
  {"kind": "open_clip", "arch": "tiny", "checkpoint": "model.pt", "model_config": {...} | "model_config.json",
   "tokenizer": "vocab.json"}                     local state dict; custom architectures are registered with open_clip
  {"kind": "chinese_clip", "name_or_path": "OFA-Sys/chinese-clip-vit-base-patch16"}   transformers ChineseCLIPModel
  "models/tiny_clip"                              a directory holding model.pt, model_config.json and vocab.json
Device "auto" = cuda when available, else cpu; precision "auto" = fp16 on cuda, fp32 on cpu. Embeddings come back as
float32 numpy arrays, L2-normalised, computed in batches under torch.inference_mode.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F

TINY_CLIP_DIR = Path(__file__).resolve().parent / "tiny_clip"
_DTYPES = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}


class ClipLoadError(RuntimeError):
    """A CLIP spec could not be turned into a model (missing weights, offline hub, bad config)."""


@dataclass
class ClipBundle:
    model: torch.nn.Module
    preprocess_frames: Callable[[np.ndarray], torch.Tensor]
    tokenize: Callable[[list[str]], Any]
    device: str
    dtype: torch.dtype
    fingerprint: str
    embed_dim: int
    spec: dict = field(default_factory=dict)
    encode_image: Callable[[torch.Tensor], torch.Tensor] | None = None
    encode_text: Callable[[Any], torch.Tensor] | None = None
    known_fraction: Callable[[str], float] | None = None  # share of a text's characters the text tower knows

    def readable(self, texts: list[str]) -> float:
        """How far zero-shot prompts mean anything to this model, 0..1: 0 for a checkpoint whose card says it has no
        open-vocabulary zero-shot ability (the tiny CLIP, trained on a closed set of synthetic captions), else the
        mean share of known characters (1.0 for subword tokenizers, which read anything)."""
        if not self.spec.get("zero_shot", True):
            return 0.0
        if self.known_fraction is None or not texts:
            return 1.0
        return float(np.mean([self.known_fraction(t) for t in texts]))

    def embed_images(self, frames_uint8: np.ndarray, batch_size: int = 64) -> np.ndarray:
        """(N, H, W, 3) uint8 RGB frames -> (N, embed_dim) float32 unit vectors."""
        frames = np.asarray(frames_uint8)
        if frames.ndim == 3:
            frames = frames[None]
        out = [np.zeros((0, self.embed_dim), np.float32)]
        with torch.inference_mode():
            for start in range(0, len(frames), batch_size):
                x = self.preprocess_frames(frames[start:start + batch_size]).to(self.device, self.dtype)
                out.append(self._finish(self.encode_image(x)))
        return np.concatenate(out)

    def embed_texts(self, texts: list[str], batch_size: int = 256) -> np.ndarray:
        """Texts -> (N, embed_dim) float32 unit vectors."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        out = [np.zeros((0, self.embed_dim), np.float32)]
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                tokens = self.tokenize(texts[start:start + batch_size])
                tokens = tokens.to(self.device) if hasattr(tokens, "to") else tokens
                out.append(self._finish(self.encode_text(tokens)))
        return np.concatenate(out)

    @staticmethod
    def _finish(features) -> np.ndarray:
        features = getattr(features, "pooler_output", features)  # transformers 5 returns model outputs
        return F.normalize(features.float(), dim=-1).cpu().numpy()


def resolve_device(device: str = "auto") -> str:
    if device in (None, "auto"):
        return "cuda" if torch.cuda.is_available() else "cpu"
    return str(device)


def resolve_precision(precision: str = "auto", device: str = "cpu") -> str:
    if precision in (None, "auto"):
        return "fp16" if str(device).startswith("cuda") else "fp32"
    if precision not in _DTYPES:
        raise ValueError(f"precision must be auto, {', '.join(_DTYPES)}; got {precision!r}")
    return precision


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalize_spec(spec: dict | str | Path) -> dict:
    """Turn any accepted spec form into a dict with a "kind" key."""
    if isinstance(spec, dict):
        return dict(spec)
    text = str(spec).strip()
    if text.startswith("{"):
        return json.loads(text)
    path = Path(text)
    if path.is_dir():
        spec = {"kind": "open_clip", "arch": path.name, "checkpoint": str(path / "model.pt"),
                "model_config": str(path / "model_config.json"), "tokenizer": str(path / "vocab.json")}
        card = path / "card.json"  # what the checkpoint can do, e.g. {"zero_shot": false}
        if card.is_file():
            spec.update(json.loads(card.read_text(encoding="utf-8")))
        return spec
    if path.suffix == ".json" and path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))
    raise ClipLoadError(f"unrecognised CLIP spec {spec!r}: pass a dict, a JSON object/file or a checkpoint directory")


def frame_preprocessor(size, mean, std, interpolation: str = "bicubic") -> Callable[[np.ndarray], torch.Tensor]:
    """Batched tensor version of CLIP's image transform: resize shortest side, centre crop, normalise.

    Uses torch antialiased resizing instead of open_clip's per-image PIL path; on real-looking frames the two give
    image embeddings with cosine >= 0.999 (checked against ViT-B-32's own transform).
    """
    th, tw = (size, size) if isinstance(size, int) else tuple(size)
    mean_t = torch.tensor(mean, dtype=torch.float32).view(1, 3, 1, 1)
    std_t = torch.tensor(std, dtype=torch.float32).view(1, 3, 1, 1)
    mode = "bicubic" if interpolation == "bicubic" else "bilinear"

    def preprocess(frames: np.ndarray) -> torch.Tensor:
        frames = np.asarray(frames)
        if frames.ndim == 3:
            frames = frames[None]
        if frames.dtype != np.uint8 or frames.ndim != 4 or frames.shape[-1] != 3:
            raise ValueError(f"expected uint8 frames (N, H, W, 3), got {frames.dtype} {frames.shape}")
        frames = np.ascontiguousarray(frames) if frames.flags.writeable else frames.copy()  # decoders may hand us
        x = torch.from_numpy(frames).permute(0, 3, 1, 2).float().div_(255.0)  # read-only buffers
        h, w = x.shape[-2:]
        if (h, w) != (th, tw):
            scale = max(th / h, tw / w)
            nh, nw = max(th, round(h * scale)), max(tw, round(w * scale))
            x = F.interpolate(x, size=(nh, nw), mode=mode, align_corners=False, antialias=True).clamp_(0.0, 1.0)
            top, left = (nh - th) // 2, (nw - tw) // 2
            x = x[..., top:top + th, left:left + tw]
        return (x - mean_t) / std_t

    return preprocess


def _read_json_or_dict(value) -> dict:
    if isinstance(value, dict):
        return value
    return json.loads(Path(value).read_text(encoding="utf-8"))


def register_open_clip_config(name: str, model_cfg: dict) -> str:
    """Register an architecture config with open_clip under a name unique to its contents; returns the name."""
    import open_clip.factory as factory

    key = f"{name}@{_sha256_text(json.dumps(model_cfg, sort_keys=True))[:12]}"
    factory._MODEL_CONFIGS[key] = json.loads(json.dumps(model_cfg))  # get_model_config() deep-copies from here
    return key


def _load_open_clip(spec: dict, device: str, precision: str) -> ClipBundle:
    import open_clip

    arch = spec.get("arch") or "custom"
    checkpoint = spec.get("checkpoint")
    preprocess_override = None
    if spec.get("model_config") is not None:
        cfg = _read_json_or_dict(spec["model_config"])
        if "model_cfg" in cfg:  # hub-style open_clip_config.json
            preprocess_override, cfg = cfg.get("preprocess_cfg"), cfg["model_cfg"]
        model_name = register_open_clip_config(arch, cfg)
    elif arch in open_clip.list_models():
        model_name = arch
    else:
        raise ClipLoadError(f"open_clip arch {arch!r} is not built in; give a model_config")
    if checkpoint:
        if not Path(checkpoint).is_file():
            raise ClipLoadError(f"checkpoint not found: {checkpoint}")
        pretrained, fingerprint = str(checkpoint), sha256_file(checkpoint)
    else:
        pretrained = spec.get("pretrained")
        fingerprint = _sha256_text(json.dumps(spec, sort_keys=True, ensure_ascii=False))
    try:
        model = open_clip.create_model(model_name, pretrained=pretrained, precision=precision, device=device,
                                       require_pretrained=bool(pretrained),
                                       force_preprocess_cfg=preprocess_override or spec.get("preprocess_cfg"))
    except Exception as exc:  # missing tag offline, shape mismatch, ...
        raise ClipLoadError(f"could not load open_clip {model_name!r} with weights {pretrained!r}: {exc}") from exc
    model.eval()
    context_length = int(getattr(model, "context_length", 77))
    if spec.get("tokenizer"):
        from .char_tokenizer import CharTokenizer

        char_tok = CharTokenizer.load(spec["tokenizer"])
        tokenize = lambda texts: char_tok(list(texts), context_length)  # noqa: E731

        def known_fraction(text: str) -> float:
            ids = char_tok.encode(text)
            return sum(i != char_tok.unk_id for i in ids) / len(ids) if ids else 0.0
    else:
        oc_tok = open_clip.get_tokenizer(model_name, context_length=context_length)
        tokenize = lambda texts: oc_tok(list(texts))  # noqa: E731
        known_fraction = None
    pp = open_clip.get_model_preprocess_cfg(model)
    return ClipBundle(model=model, preprocess_frames=frame_preprocessor(pp["size"], pp["mean"], pp["std"],
                                                                       pp.get("interpolation", "bicubic")),
                      tokenize=tokenize, device=device, dtype=_DTYPES[precision], fingerprint=fingerprint,
                      embed_dim=int(model.visual.output_dim), spec=spec,
                      encode_image=model.encode_image, encode_text=model.encode_text, known_fraction=known_fraction)


def _load_chinese_clip(spec: dict, device: str, precision: str) -> ClipBundle:
    from transformers import ChineseCLIPModel, ChineseCLIPProcessor

    name = spec.get("name_or_path") or spec.get("name")
    if not name:
        raise ClipLoadError("chinese_clip spec needs name_or_path")
    try:
        model = ChineseCLIPModel.from_pretrained(name, dtype=_DTYPES[precision]).to(device).eval()
        processor = ChineseCLIPProcessor.from_pretrained(name)
    except Exception as exc:  # OSError offline / not cached, missing files
        raise ClipLoadError(f"could not load Chinese-CLIP {name!r} (needs a local directory or a populated HF cache; "
                            f"HF_HUB_OFFLINE blocks downloads): {exc}") from exc
    local = Path(name)
    weights = sorted(local.glob("*.safetensors")) + sorted(local.glob("*.bin")) if local.is_dir() else []
    fingerprint = (_sha256_text("".join(sha256_file(p) for p in weights)) if weights else
                   _sha256_text(json.dumps(spec, sort_keys=True) + str(getattr(model.config, "_commit_hash", ""))))
    max_len = int(spec.get("max_length", 52))

    def preprocess(frames: np.ndarray) -> torch.Tensor:
        frames = np.asarray(frames)
        return processor(images=list(frames[None] if frames.ndim == 3 else frames), return_tensors="pt")["pixel_values"]

    def tokenize(texts):
        return processor(text=list(texts), padding=True, truncation=True, max_length=max_len, return_tensors="pt")

    return ClipBundle(model=model, preprocess_frames=preprocess, tokenize=tokenize, device=device,
                      dtype=_DTYPES[precision], fingerprint=fingerprint, embed_dim=int(model.config.projection_dim),
                      spec=spec, encode_image=lambda x: model.get_image_features(pixel_values=x),
                      encode_text=lambda enc: model.get_text_features(**enc))


def load_clip(spec: dict | str = TINY_CLIP_DIR, device: str = "auto", precision: str = "auto") -> ClipBundle:
    """Build a ClipBundle from a spec (see the module docstring). Default: the committed tiny CLIP."""
    spec = normalize_spec(spec)
    device = resolve_device(device)
    precision = resolve_precision(precision, device)
    kind = spec.get("kind", "open_clip")
    if kind == "open_clip":
        return _load_open_clip(spec, device, precision)
    if kind == "chinese_clip":
        return _load_chinese_clip(spec, device, precision)
    raise ClipLoadError(f"unknown CLIP kind {kind!r} (open_clip or chinese_clip)")
