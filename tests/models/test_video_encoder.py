"""TimeSformer: equals the tiny CLIP image tower frame by frame at init, then learns to use time."""
import json

import open_clip
import pytest
import torch

from models.clip_model import TINY_CLIP_DIR, register_open_clip_config
from models.video_encoder import TimeSformer, VideoEncoderConfig, load_open_clip_visual

TINY = dict(image_size=64, patch_size=8, width=128, layers=3, heads=4, mlp_ratio=4.0, num_frames=8)


@pytest.fixture(scope="module")
def clip():
    cfg = json.loads((TINY_CLIP_DIR / "model_config.json").read_text(encoding="utf-8"))
    model = open_clip.create_model(register_open_clip_config("tiny", cfg), pretrained=None)
    model.load_state_dict(torch.load(TINY_CLIP_DIR / "model.pt", map_location="cpu", weights_only=True))
    return model.eval()


def loaded(clip, **overrides) -> TimeSformer:
    torch.manual_seed(0)
    enc = TimeSformer(VideoEncoderConfig(**{**TINY, **overrides}))
    load_open_clip_visual(enc, clip)
    return enc


def clip_frames(clip, video):
    """open_clip's own visual tower, one frame at a time: (B, T, 1 + N, width) after ln_post."""
    vis = clip.visual
    x = vis.ln_post(vis.transformer(vis._embeds(video.flatten(0, 1))))
    return x.view(*video.shape[:2], *x.shape[1:])


@pytest.mark.parametrize("frames", [1, 3])
def test_matches_open_clip_frame_by_frame(clip, frames):
    enc = loaded(clip).eval()
    video = torch.randn(2, frames, 3, 64, 64, generator=torch.Generator().manual_seed(frames))
    with torch.no_grad():
        ours, ref = enc.forward_frames(video), clip_frames(clip, video)
        tokens = enc(video)
        image_features = clip.encode_image(video.flatten(0, 1)).view(2, frames, -1)
    assert ours.shape == (2, frames, 65, 128)
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=1e-5)
    # pooled CLIP features too: per-frame CLS @ proj is encode_image
    torch.testing.assert_close(ours[:, :, 0] @ clip.visual.proj, image_features, atol=1e-5, rtol=1e-5)
    # forward(): [mean of per-frame CLS; frame-major patch tokens]
    assert tokens.shape == (2, 1 + frames * 64, 128) and enc.num_tokens(frames) == tokens.shape[1]
    torch.testing.assert_close(tokens[:, 0], ours[:, :, 0].mean(1))
    for f in range(frames):
        torch.testing.assert_close(tokens[:, 1 + 64 * f:1 + 64 * (f + 1)], ours[:, f, 1:])


def test_load_report_and_source_forms(clip):
    enc = TimeSformer(VideoEncoderConfig(**TINY))
    report = load_open_clip_visual(enc, clip)
    assert report.unused == ["proj"] and report.interpolated == []
    assert len(report.loaded) == 7 + 12 * 3 and len(report.temporal_from_spatial) == 4 * 3
    assert report.not_loaded == sorted([f"blocks.{i}.temporal_attn.out_proj.{p}" for i in range(3)
                                        for p in ("weight", "bias")] + ["temporal_embedding"])
    assert "loaded 43 tensors" in report.summary()
    torch.testing.assert_close(enc.blocks[1].temporal_attn.in_proj_weight, enc.blocks[1].attn.in_proj_weight)
    assert not enc.blocks[1].temporal_attn.out_proj.weight.any() and not enc.temporal_embedding.any()
    reference = enc.state_dict()
    for source in (clip.visual, clip.state_dict(), clip.visual.state_dict()):  # module or state dict, whole or visual
        other = TimeSformer(VideoEncoderConfig(**TINY))
        load_open_clip_visual(other, source)
        for name, value in other.state_dict().items():
            if name in report.loaded or name in report.temporal_from_spatial:
                assert torch.equal(value, reference[name]), name


def test_mismatches_raise_clear_errors(clip):
    with pytest.raises(ValueError, match="shape mismatch for conv1.weight"):
        load_open_clip_visual(TimeSformer(VideoEncoderConfig(**{**TINY, "width": 64})), clip)
    with pytest.raises(ValueError, match="shape mismatch for conv1.weight"):
        load_open_clip_visual(TimeSformer(VideoEncoderConfig(**{**TINY, "patch_size": 16})), clip)
    with pytest.raises(ValueError, match="3 transformer blocks, encoder has 2"):
        load_open_clip_visual(TimeSformer(VideoEncoderConfig(**{**TINY, "layers": 2})), clip)
    with pytest.raises(ValueError, match="activation mismatch"):
        load_open_clip_visual(TimeSformer(VideoEncoderConfig(**{**TINY, "quick_gelu": True})), clip)
    with pytest.raises(ValueError, match="no 'conv1.weight'"):
        load_open_clip_visual(TimeSformer(VideoEncoderConfig(**TINY)),
                              {f"transformer.resblocks.{i}.x": torch.zeros(1) for i in range(3)})
    with pytest.raises(ValueError, match="multiple of patch_size"):
        VideoEncoderConfig(image_size=60, patch_size=8)


def test_positional_embedding_interpolated_for_other_sizes(clip):
    enc = TimeSformer(VideoEncoderConfig(**{**TINY, "image_size": 96}))
    report = load_open_clip_visual(enc, clip)
    assert report.interpolated == ["positional_embedding"]
    assert enc.positional_embedding.shape == (1 + 12 * 12, 128)
    torch.testing.assert_close(enc.positional_embedding[0], clip.visual.positional_embedding[0])
    assert enc(torch.randn(1, 2, 3, 96, 96)).shape == (1, 1 + 2 * 144, 128)


def test_too_many_frames_and_bad_shapes(clip):
    enc = loaded(clip, num_frames=2)
    with pytest.raises(ValueError, match="num_frames=2"):
        enc(torch.randn(1, 3, 3, 64, 64))
    with pytest.raises(ValueError, match=r"\(B, T, 3, H, W\)"):
        enc(torch.randn(1, 3, 64, 64))


def test_temporal_branch_learns_and_makes_order_matter(clip):
    enc = loaded(clip)
    gen = torch.Generator().manual_seed(3)
    video = torch.randn(2, 4, 3, 64, 64, generator=gen)
    perm = torch.tensor([2, 0, 3, 1])
    with torch.no_grad():  # at init frames are independent: permuting frames permutes the outputs, nothing more
        base = enc.forward_frames(video)
        torch.testing.assert_close(enc.forward_frames(video[:, perm]), base[:, perm], atol=1e-5, rtol=1e-5)
    target = torch.randn(2, 128, generator=gen)
    optimizer = torch.optim.AdamW(enc.parameters(), lr=1e-2)
    loss = (enc(video)[:, 0] - target).pow(2).mean()
    loss.backward()
    assert enc.blocks[0].temporal_attn.out_proj.weight.grad.abs().sum() > 0
    assert enc.temporal_embedding.grad.abs().sum() > 0
    optimizer.step()
    assert enc.blocks[0].temporal_attn.out_proj.weight.abs().sum() > 0
    with torch.no_grad():
        after = enc.forward_frames(video)
        assert not torch.allclose(after, base, atol=1e-4)
        permuted = enc.forward_frames(video[:, perm])
        assert not torch.allclose(permuted, after[:, perm], atol=1e-4)  # frame order now carries information
        assert not torch.allclose(enc(video[:, perm])[:, 0], enc(video)[:, 0], atol=1e-4)


def test_gradient_checkpointing_gives_the_same_gradients(clip):
    video = torch.randn(1, 2, 3, 64, 64, generator=torch.Generator().manual_seed(5))
    grads = []
    for flag in (False, True):
        enc = loaded(clip, grad_checkpointing=flag).train()
        with torch.no_grad():
            enc.blocks[0].temporal_attn.out_proj.weight.normal_(0, 0.02, generator=torch.Generator().manual_seed(1))
        enc(video).pow(2).mean().backward()
        grads.append(torch.cat([p.grad.flatten() for p in enc.parameters()]))
    torch.testing.assert_close(grads[0], grads[1], atol=1e-6, rtol=1e-5)
