"""The training loop on real shards: loss falls, only the trainable parts change, resume is exact, corrupt samples
are skipped and counted, and the GPU settings resolve from configuration."""
import pytest
import torch

from jobs.pretrain import dataset_args
from models.mplug_video import build_mplug_video
from tests.training.pretrain_fixtures import caption_shards, recipe_path  # noqa: F401
from training.loop import Trainer, autocast_dtype
from training.recipe import load_recipe
from training.schedule import lr_factor


def _trainer(recipe, shards, run_dir, workers=0):
    torch.manual_seed(recipe.train.seed)  # as jobs.pretrain does: the same seed builds the same model
    model = build_mplug_video(recipe.model)
    return Trainer(model, dataset_args(recipe, model, [shards]), recipe.train, run_dir, num_workers=workers,
                   progress=False)


def test_loss_falls_and_only_trainable_parts_change(caption_shards, recipe_path, tmp_path):  # noqa: F811
    recipe = load_recipe(recipe_path)
    trainer = _trainer(recipe, caption_shards, tmp_path)
    llm_before = {k: v.clone() for k, v in trainer.core.llm.state_dict().items()}
    encoder_before = {k: v.clone() for k, v in trainer.core.encoder.state_dict().items()}
    records = trainer.train(40)
    losses = [r["loss"] for r in records]
    assert sum(losses[-5:]) / 5 < 0.7 * losses[0], losses
    assert all(torch.equal(llm_before[k], v) for k, v in trainer.core.llm.state_dict().items())
    assert not all(torch.equal(encoder_before[k], v) for k, v in trainer.core.encoder.state_dict().items())
    assert trainer.skipped["undecodable_video"] >= 1  # the corrupt clip, every epoch it comes round
    assert (tmp_path / "checkpoints").is_dir() and (tmp_path / "train_log.jsonl").exists()


@pytest.mark.parametrize("workers", [0, 2])
def test_resume_continues_the_same_loss_curve(caption_shards, recipe_path, tmp_path, workers):  # noqa: F811
    recipe = load_recipe(recipe_path)
    recipe.train.save_every = 6
    whole = [r["loss"] for r in _trainer(recipe, caption_shards, tmp_path / "whole", workers).train(12)]
    first = _trainer(recipe, caption_shards, tmp_path / "split", workers)
    head = [r["loss"] for r in first.train(6)]
    second = _trainer(recipe, caption_shards, tmp_path / "split", workers)
    assert second.resume() == 6
    tail = [r["loss"] for r in second.train(12)]
    assert head + tail == pytest.approx(whole, rel=1e-5, abs=1e-6)


def test_schedule_warms_up_then_decays_to_the_floor(recipe_path):  # noqa: F811
    cfg = load_recipe(recipe_path).train
    cfg.steps, cfg.warmup_steps, cfg.lr, cfg.min_lr = 100, 10, 1e-3, 1e-5
    factors = [lr_factor(s, cfg) for s in range(100)]
    assert factors[0] == pytest.approx(0.1) and factors[9] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(factors[10:], factors[11:]))
    assert factors[-1] * cfg.lr == pytest.approx(1e-5, rel=0.05)


def test_precision_is_configuration():
    assert autocast_dtype("auto", "cuda") is torch.bfloat16
    assert autocast_dtype("auto", "cpu") is None
    assert autocast_dtype("fp16", "cuda:1") is torch.float16
    assert autocast_dtype("bf16", "cpu") is torch.bfloat16
