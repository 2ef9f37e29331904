"""MplugVideo: frozen LLM stays bit-identical, the loss reads only title tokens, training works, generation is right
for batches and with or without the KV cache, and other decoder-only families (GPT-2, Qwen2) plug in by path."""
import copy
import unicodedata
from pathlib import Path

import pytest
import torch
import yaml

from models.mplug_video import IGNORE, build_mplug_video, resolve_path
from models.synthetic_clips import make_dataset
from models.tiny_llm import TINY_LLM_DIR

ROOT = Path(__file__).resolve().parents[2]
MEAN = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, 1, 3, 1, 1)
STD = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(1, 1, 3, 1, 1)


def tiny_cfg(**llm) -> dict:
    cfg = yaml.safe_load((ROOT / "configs" / "pretrain_tiny.yaml").read_text(encoding="utf-8"))["model"]
    cfg["llm"].update(llm)
    return copy.deepcopy(cfg)


def clips(n: int, seed: int, frames: int = 2):
    """CLIP-normalised (n, T, 3, 64, 64) synthetic videos and their captions (NFKC, as the tokenizer reads them)."""
    arr, captions, _ = make_dataset(n, seed=seed, frames=frames)
    video = (torch.from_numpy(arr).permute(0, 1, 4, 2, 3).float() / 255.0 - MEAN) / STD
    return video, [unicodedata.normalize("NFKC", c) for c in captions]


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return build_mplug_video(tiny_cfg())


def train_steps(model, video, batch, steps: int, lr: float = 1e-3) -> list[float]:
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)  # the whole model: frozen parameters get no grads
    model.train()
    losses = []
    for _ in range(steps):
        loss = model(video, **batch)["loss"]
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def test_builds_from_the_tiny_config(model):
    assert model.init_report is not None and model.init_report.unused == ["proj"]
    assert model.encoder.config.width == 128 and model.abstractor.config.num_queries == 16
    assert model.abstractor.output_dim == model.llm.get_input_embeddings().embedding_dim == 128
    assert all(not p.requires_grad for p in model.llm.parameters())
    counts = model.parameter_counts()
    n = lambda module: sum(p.numel() for p in module.parameters())  # noqa: E731
    assert counts == {"trainable": n(model.encoder) + n(model.abstractor), "frozen": n(model.llm)}
    assert counts["trainable"] + counts["frozen"] == n(model) and counts["frozen"] == 802560
    model.train()
    assert model.encoder.training and model.abstractor.training and not model.llm.training
    model.eval()


def test_labels_cover_title_and_eos_only(model):
    video, captions = clips(3, seed=1)
    batch = model.tokenize_titles(captions)
    ids, mask = batch["input_ids"], batch["attention_mask"]
    assert (ids[:, 0] == model.bos_id).all()
    lengths = [len(model.tokenizer(c, add_special_tokens=False)["input_ids"]) for c in captions]
    assert mask.sum(1).tolist() == [n + 2 for n in lengths]  # bos + title + eos
    with torch.no_grad():
        out = model(video, **batch)
    labels = out["labels"]
    assert (labels != IGNORE).sum(1).tolist() == [n + 1 for n in lengths]  # title + eos
    assert out["num_label_tokens"] == sum(lengths) + 3 and (labels[:, 0] == IGNORE).all()
    assert out["logits"].shape == (3, ids.shape[1], model.llm.config.vocab_size)
    # the loss is plain next-token CE over the whole [prefix; text] sequence, read at the title positions
    with torch.no_grad():
        prefix = model.encode_video(video)
        full = model.llm(inputs_embeds=torch.cat([prefix, model.llm.get_input_embeddings()(ids)], 1),
                         attention_mask=torch.cat([torch.ones(3, prefix.shape[1], dtype=torch.long), mask], 1)).logits
    targets = torch.cat([torch.full((3, prefix.shape[1]), IGNORE), labels], 1)
    manual = torch.nn.functional.cross_entropy(full[:, :-1].flatten(0, 1), targets[:, 1:].flatten(),
                                               ignore_index=IGNORE)
    torch.testing.assert_close(out["loss"], manual, atol=1e-5, rtol=1e-5)


def test_loss_ignores_padding_and_anything_after_eos(model):
    video, captions = clips(2, seed=2)
    batch = model.tokenize_titles(captions)
    with torch.no_grad():
        base = model(video, **batch)["loss"]
        junk = batch["input_ids"].clone()
        pad = batch["attention_mask"] == 0
        assert pad.any()
        junk[pad] = torch.randint(4, 1000, (int(pad.sum()),))  # other pad content, still masked
        torch.testing.assert_close(model(video, junk, batch["attention_mask"])["loss"], base, atol=1e-6, rtol=1e-6)
        # tokens after eos that are *not* masked out still add nothing (causal: they only feed later positions)
        ids, mask = batch["input_ids"].clone(), batch["attention_mask"].clone()
        extended_ids = torch.cat([ids, torch.randint(4, 1000, (2, 3))], 1)
        extended_mask = torch.cat([torch.ones_like(mask), torch.ones(2, 3, dtype=torch.long)], 1)
        out = model(video, extended_ids, extended_mask)
        torch.testing.assert_close(out["loss"], base, atol=1e-6, rtol=1e-6)
        assert out["num_label_tokens"] == (batch["attention_mask"].sum() - 2)


def test_labels_when_bos_and_eos_are_one_token(model, monkeypatch):
    """GPT-2's own tokenizer uses <|endoftext|> as both: the leading bos must not count as the title's end."""
    monkeypatch.setattr(model, "bos_id", 2)
    ids = torch.tensor([[2, 10, 11, 2, 0, 0], [2, 12, 2, 13, 2, 0]])
    mask = torch.tensor([[1, 1, 1, 1, 0, 0], [1, 1, 1, 1, 1, 0]])
    assert model.text_labels(ids, mask).tolist() == [[IGNORE, 10, 11, 2, IGNORE, IGNORE],
                                                     [IGNORE, 12, 2, IGNORE, IGNORE, IGNORE]]
    monkeypatch.setattr(model, "bos_id", None)  # no bos (Qwen2.5): the first token is a title token
    assert model.text_labels(ids[:, 1:], mask[:, 1:]).tolist() == [[10, 11, 2, IGNORE, IGNORE],
                                                                   [12, 2, IGNORE, IGNORE, IGNORE]]


def test_llm_in_bfloat16_trainable_parts_in_float32():
    model = build_mplug_video(tiny_cfg(), dtype="bfloat16")
    assert model.llm.dtype == torch.bfloat16 and model.abstractor.proj.weight.dtype == torch.float32
    video, captions = clips(2, seed=9)
    out = model(video, **model.tokenize_titles(captions))
    assert out["loss"].dtype == torch.float32 and torch.isfinite(out["loss"])
    out["loss"].backward()
    assert model.abstractor.proj.weight.grad is not None
    assert all(isinstance(t, str) for t in model.generate(video, max_new_tokens=5))


def test_llm_bit_identical_while_visual_side_trains():
    torch.manual_seed(0)
    model = build_mplug_video(tiny_cfg())
    before = {k: v.clone() for k, v in model.llm.state_dict().items()}
    trainable_before = {k: v.clone() for k, v in model.trainable_state_dict().items()}
    video, captions = clips(2, seed=3)
    train_steps(model, video, model.tokenize_titles(captions), steps=3, lr=1e-2)
    assert all(torch.equal(v, before[k]) for k, v in model.llm.state_dict().items())
    after = model.trainable_state_dict()
    for key in ("abstractor.proj.weight", "abstractor.queries", "encoder.blocks.0.attn.in_proj_weight",
                "encoder.blocks.2.temporal_attn.out_proj.weight", "encoder.conv1.weight"):
        assert not torch.equal(after[key], trainable_before[key]), key
    assert not model.llm.training


def test_loss_falls_on_a_fixed_batch():
    torch.manual_seed(0)
    model = build_mplug_video(tiny_cfg())
    video, captions = clips(4, seed=4)
    losses = train_steps(model, video, model.tokenize_titles(captions), steps=30, lr=1e-3)
    assert losses[-1] < 0.5 * losses[0] and min(losses[-5:]) < min(losses[:5]), losses


def test_single_sample_overfits_until_it_generates_its_title():
    """The frozen tiny LM has strong priors (colour, shape and motion words are where a caption's information is),
    so the prefix needs on the order of a hundred steps to override them; check every 25 steps, stop when right."""
    torch.manual_seed(0)
    model = build_mplug_video(tiny_cfg())
    video, captions = clips(1, seed=4, frames=1)
    batch = model.tokenize_titles(captions)
    model.eval()
    first = model.generate(video, max_new_tokens=30)
    assert first != captions
    generated, losses = first, []
    while generated != captions and len(losses) < 300:
        losses += train_steps(model, video, batch, steps=25, lr=1e-3)
        model.eval()
        generated = model.generate(video, max_new_tokens=30)
    assert generated == captions, (generated, captions, losses[::25])
    assert losses[-1] < losses[0]


def test_generate_batches_and_cache(model):
    video, _ = clips(3, seed=5)
    saved = model.abstractor.proj.weight.detach().clone()
    with torch.no_grad():  # make the prefix matter so rows differ
        model.abstractor.proj.weight.mul_(20)
    try:
        batch = model.generate(video, max_new_tokens=12)
        assert isinstance(batch, list) and len(batch) == 3 and all(isinstance(t, str) for t in batch)
        assert batch == model.generate(video, max_new_tokens=12, use_cache=False)
        assert batch == [model.generate(video[i:i + 1], max_new_tokens=12)[0] for i in range(3)]
        assert all(len(t) <= 12 for t in model.generate(video, max_new_tokens=12))
        assert model.generate(video, max_new_tokens=0) == ["", "", ""]
    finally:
        with torch.no_grad():
            model.abstractor.proj.weight.copy_(saved)


def test_video_features_for_probes(model):
    video, _ = clips(3, seed=6)
    with torch.no_grad():
        feats = model.video_features(video)
        assert feats.shape == (3, model.abstractor.config.width)
        torch.testing.assert_close(feats[1:2], model.video_features(video[1:2]), atol=1e-5, rtol=1e-5)
    assert not torch.allclose(feats[0], feats[1], atol=1e-3)


def test_trainable_state_dict_round_trip(model, tmp_path):
    state = model.trainable_state_dict()
    assert state and all(k.startswith(("encoder.", "abstractor.")) for k in state)
    assert sum(v.numel() for v in state.values()) == model.parameter_counts()["trainable"]
    torch.save(state, tmp_path / "ckpt.pt")
    fresh = build_mplug_video({**tiny_cfg(), "vision": {**tiny_cfg()["vision"], "init": None}})
    video, captions = clips(1, seed=7)
    batch = model.tokenize_titles(captions)
    with torch.no_grad():
        assert not torch.allclose(fresh(video, **batch)["loss"], model(video, **batch)["loss"])
        result = fresh.load_trainable_state_dict(torch.load(tmp_path / "ckpt.pt", weights_only=True))
        assert result == {"missing": [], "unexpected": []}
        torch.testing.assert_close(fresh(video, **batch)["loss"], model(video, **batch)["loss"])
    with pytest.raises(ValueError, match="not trainable-state keys"):
        fresh.load_trainable_state_dict({**state, "llm.lm_head.weight": torch.zeros(1)})


def _save_family(kind: str, path: Path) -> dict:
    """A tiny random LLM of another family saved by path, with the tiny LLM's tokenizer."""
    from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, Qwen2Config

    torch.manual_seed(1)
    if kind == "gpt2":
        cfg = GPT2Config(vocab_size=1365, n_positions=128, n_embd=64, n_layer=2, n_head=2, bos_token_id=1,
                         eos_token_id=2, pad_token_id=0)
    else:
        cfg = Qwen2Config(vocab_size=1365, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                          num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=128,
                          tie_word_embeddings=False, bos_token_id=1, eos_token_id=2, pad_token_id=0)
    AutoModelForCausalLM.from_config(cfg).save_pretrained(path)
    if kind == "gpt2":  # same directory, as on the hub
        AutoTokenizer.from_pretrained(TINY_LLM_DIR).save_pretrained(path)
        return {"path": str(path)}
    # transformers 5 always rebuilds a qwen2 directory's tokenizer as byte-level BPE: keep the tokenizer apart and
    # leave out bos, as Qwen2.5 does
    return {"path": str(path), "tokenizer": str(TINY_LLM_DIR), "add_bos": False}


@pytest.mark.parametrize("kind", ["gpt2", "qwen2"])
def test_other_decoder_only_families(kind, tmp_path):
    llm = _save_family(kind, tmp_path / kind)
    torch.manual_seed(0)
    model = build_mplug_video(tiny_cfg(**llm))
    assert type(model.llm).__name__ == {"gpt2": "GPT2LMHeadModel", "qwen2": "Qwen2ForCausalLM"}[kind]
    assert model.abstractor.output_dim == 64
    video, captions = clips(2, seed=8)
    batch = model.tokenize_titles(captions)
    lengths = [len(model.tokenizer(c, add_special_tokens=False)["input_ids"]) for c in captions]
    before = {k: v.clone() for k, v in model.llm.state_dict().items()}
    with torch.no_grad():
        labels = model(video, **batch)["labels"]
    assert (labels != IGNORE).sum(1).tolist() == [n + 1 for n in lengths]
    assert (labels[:, 0] == IGNORE).tolist() == [kind == "gpt2"] * 2  # bos only where the family uses one
    losses = train_steps(model, video, batch, steps=8, lr=3e-3)
    assert losses[-1] < losses[0]
    assert all(torch.equal(v, before[k]) for k, v in model.llm.state_dict().items())
    model.eval()
    texts = model.generate(video, max_new_tokens=8)
    assert len(texts) == 2 and texts == model.generate(video, max_new_tokens=8, use_cache=False)


def test_config_errors_and_path_resolution(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="unknown key"):
        build_mplug_video({**tiny_cfg(), "visoin": {}})
    with pytest.raises(ValueError, match=r"model.vision: \['patch'\]"):
        build_mplug_video({**tiny_cfg(), "vision": {**tiny_cfg()["vision"], "patch": 8}})
    with pytest.raises(ValueError, match="model.llm.path is required"):
        build_mplug_video({**tiny_cfg(), "llm": {"dtype": "float32"}})
    with pytest.raises(ValueError, match="llm dtype"):
        build_mplug_video(tiny_cfg(dtype="float8"))
    with pytest.raises(ValueError, match="exceed the LLM's 256 positions"):
        build_mplug_video({**tiny_cfg(), "max_text_tokens": 250})
    with pytest.raises(FileNotFoundError, match="not a checkpoint directory"):
        build_mplug_video({**tiny_cfg(), "vision": {**tiny_cfg()["vision"], "init": "no/such/dir"}})
    monkeypatch.chdir(tmp_path)  # relative paths fall back to the package root
    assert Path(resolve_path("models/tiny_llm")) == TINY_LLM_DIR
    assert resolve_path("Qwen/Qwen2.5-1.5B") == "Qwen/Qwen2.5-1.5B"
    model = build_mplug_video({"model": tiny_cfg()})  # a whole config with a model: section works too
    assert model.init_report is not None


def test_open_clip_tag_goes_through_open_clip(model, monkeypatch):
    import open_clip

    from models.clip_model import TINY_CLIP_DIR, load_clip

    calls = []
    tiny = load_clip(TINY_CLIP_DIR, device="cpu", precision="fp32").model

    def fake_create_model(arch, pretrained=None, **kwargs):  # no network: hand back the tiny CLIP
        calls.append((arch, pretrained, kwargs.get("force_quick_gelu")))
        return tiny

    monkeypatch.setattr(open_clip, "create_model", fake_create_model)
    built = build_mplug_video({**tiny_cfg(), "vision": {**tiny_cfg()["vision"], "init": "open_clip:ViT-B-16:openai"}})
    assert calls == [("ViT-B-16", "openai", True)]  # the openai tag was trained with QuickGELU
    assert built.encoder.config.quick_gelu is False  # the activation follows the weights actually loaded
    assert len(built.init_report.loaded) == 43
    for name, value in built.encoder.state_dict().items():
        assert torch.equal(value, model.encoder.state_dict()[name]) or name in built.init_report.not_loaded


def test_base_config_describes_the_paper_model():
    cfg = yaml.safe_load((ROOT / "configs" / "pretrain_base.yaml").read_text(encoding="utf-8"))
    assert "model" in cfg  # data:/train: sections are the training recipe's business
    vision, abstractor = cfg["model"]["vision"], cfg["model"]["abstractor"]
    assert (vision["image_size"], vision["patch_size"], vision["width"], vision["layers"]) == (224, 16, 768, 12)
    assert abstractor["num_queries"] == 128 and abstractor["layers"] == 1 and cfg["model"]["max_text_tokens"] == 80
    from models.video_encoder import TimeSformer, VideoEncoderConfig

    with torch.device("meta"):  # the full-size encoder builds (no memory spent) and has ViT-B's size
        encoder = TimeSformer(VideoEncoderConfig(**{k: v for k, v in vision.items() if k != "init"}))
    spatial = sum(p.numel() for n, p in encoder.named_parameters() if "temporal" not in n and "ln_t" not in n)
    assert 85e6 < spatial < 87e6  # CLIP ViT-B/16 image tower without its projection: 85.8M
