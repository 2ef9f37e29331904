"""``ykcurate pretrain`` / ``ykcurate evaluate`` end to end on real shards, on CPU, plus two-process DDP (gloo)."""
import json
import os
import subprocess
import sys

import pytest
import torch
from safetensors.torch import load_file

from jobs import evaluate, pretrain
from models.mplug_video import resolve_path
from training.checkpoint import load_checkpoint
from tests.training.pretrain_fixtures import caption_shards, recipe_path  # noqa: F401


def test_pretrain_then_evaluate(caption_shards, recipe_path, tmp_path, capsys):  # noqa: F811
    llm_file = os.path.join(resolve_path("models/tiny_llm"), "model.safetensors")
    llm_before = load_file(llm_file)
    run = tmp_path / "run"
    result = pretrain.run(["--shards", caption_shards, "--config", str(recipe_path), "--output", str(run),
                           "--steps", "30", "--quiet"])
    out = capsys.readouterr().out
    assert "trainable" in out and "frozen (LLM)" in out
    assert result["parameters"]["frozen"] == sum(t.numel() for t in llm_before.values())  # tied lm_head not saved
    assert result["step"] == 30 and result["last_loss"] < result["first_loss"]
    assert result["skipped"].get("undecodable_video", 0) >= 1
    checkpoint = torch.load(sorted((run / "checkpoints").glob("*.pt"))[-1], weights_only=False)
    assert all(k.startswith(("encoder.", "abstractor.")) for k in checkpoint["trainable"])  # no LLM weights saved
    assert all(torch.equal(llm_before[k], v) for k, v in load_file(llm_file).items())

    evaluated = evaluate.run(["--run", str(run), "--shards", caption_shards])
    printed = capsys.readouterr().out
    assert "CIDEr" in printed and "top-1" in printed
    assert evaluated["captioning"]["clips"] == 23  # the corrupt clip is skipped and counted
    assert evaluated["skipped"] == {"undecodable_video": 1}
    assert evaluated["classification"]["top1"] is not None
    assert json.loads((run / "eval.json").read_text())["captioning"] == evaluated["captioning"]

    # a second pretrain call resumes and goes on; --fresh refuses a directory with checkpoints
    again = pretrain.run(["--shards", caption_shards, "--output", str(run), "--steps", "32", "--quiet"])
    assert again["resumed_from"] == 30 and again["step"] == 32
    assert pretrain.main(["--shards", caption_shards, "--output", str(run), "--fresh", "--quiet"]) == 2


def test_bad_inputs_exit_2(recipe_path, tmp_path):  # noqa: F811
    assert pretrain.main(["--shards", str(tmp_path / "none-*.tar"), "--config", str(recipe_path),
                          "--output", str(tmp_path / "r"), "--quiet"]) == 2
    assert pretrain.main(["--shards", "x.tar", "--config", "no-such-recipe", "--output", str(tmp_path / "r")]) == 2
    assert evaluate.main(["--run", str(tmp_path / "nothing"), "--shards", "x.tar"]) == 2


def test_two_process_ddp_on_cpu(caption_shards, recipe_path, tmp_path):  # noqa: F811
    """torchrun with two ranks (gloo on CPU): the same entry point as a multi-GPU run, with the contrastive head
    (its InfoNCE gathers both ranks' clips)."""
    run = tmp_path / "ddp"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
                           "-m", "jobs.pretrain", "--shards", caption_shards, "--config", str(recipe_path),
                           "--output", str(run), "--steps", "4", "--set", "model.contrastive.dim=32", "--quiet"],
                          capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "world size 2" in proc.stdout
    summary = json.loads((run / "summary.json").read_text())
    assert summary["step"] == 4 and summary["last_loss"] is not None
    assert len(list((run / "checkpoints").glob("*.pt"))) >= 1
    state = load_checkpoint(sorted((run / "checkpoints").glob("*.pt"))[-1])
    assert any(k.startswith("contrastive.") for k in state["trainable"])
