"""The optional ITC head: InfoNCE that treats one title's clips as one positive, training that moves the head and
the visual side only (the LLM stays bit-identical), retrieval by embeddings after a few steps, checkpoints."""
import torch

from models.contrastive import ContrastiveConfig, ContrastiveHead
from models.mplug_video import build_mplug_video
from tests.models.test_mplug_video import clips, tiny_cfg, train_steps


def test_infonce_rewards_alignment_and_shares_targets_of_one_title():
    head = ContrastiveHead(8, 8, ContrastiveConfig(dim=4))
    eye = torch.eye(4)
    distinct = torch.tensor([[1], [2], [3], [4]])
    aligned, crossed = head.loss(eye, eye, distinct), head.loss(eye, eye.roll(1, 0), distinct)
    assert aligned < 0.01 < 10 < crossed
    # rows 0 and 1 share a title: pairing video 0 with text 1 is no longer a mistake
    one_title = torch.tensor([[1], [1], [3], [4]])
    swapped = eye[[1, 0, 2, 3]]
    assert head.loss(eye, swapped, one_title) < 0.6 * head.loss(eye, swapped, distinct)


def test_training_with_the_head_leaves_the_llm_bit_identical_and_learns_retrieval():
    torch.manual_seed(0)
    cfg = tiny_cfg()
    cfg["contrastive"] = {"dim": 32, "weight": 1.0}
    model = build_mplug_video(cfg)
    llm_before = {k: v.clone() for k, v in model.llm.state_dict().items()}
    video, captions = clips(8, seed=5)
    batch = model.tokenize_titles(captions)
    with torch.no_grad():
        model.eval()
        before = (model.embed_videos(video) @ model.embed_texts(**batch).t()).argmax(1)
    out = model(video, **batch)
    assert set(out) >= {"loss", "caption_loss", "itc_loss"}
    assert torch.isclose(out["loss"], out["caption_loss"] + out["itc_loss"])
    train_steps(model, video, batch, 40, lr=2e-3)
    model.eval()
    with torch.no_grad():
        after = (model.embed_videos(video) @ model.embed_texts(**batch).t()).argmax(1)
    assert (after == torch.arange(8)).sum() > (before == torch.arange(8)).sum()
    assert (after == torch.arange(8)).float().mean() >= 0.75
    assert all(torch.equal(llm_before[k], v) for k, v in model.llm.state_dict().items())
    state = model.trainable_state_dict()
    assert any(k.startswith("contrastive.") for k in state) and not any(k.startswith("llm.") for k in state)
    fresh = build_mplug_video(cfg)
    assert fresh.load_trainable_state_dict(state) == {"missing": [], "unexpected": []}
    fresh.eval()
    with torch.no_grad():
        assert torch.allclose(fresh.embed_videos(video), model.embed_videos(video), atol=1e-6)


def test_without_the_head_the_model_is_the_papers():
    model = build_mplug_video(tiny_cfg())
    assert model.contrastive is None
    assert not any(k.startswith("contrastive.") for k in model.trainable_state_dict())
