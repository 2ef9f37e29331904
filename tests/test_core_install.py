"""`pip install .` (no extras) runs `curate --phase text`: nothing on that path imports a media-extra package."""
import os
import subprocess
import sys

MEDIA_ONLY = ["webdataset", "torch", "torchvision", "decord", "open_clip", "transformers", "ffmpeg", "PIL"]


def test_text_phase_imports_no_media_package():
    code = ("import sys, jobs.curate, jobs.audit, jobs.reshard, pipeline.build; "
            f"print(sorted(set({MEDIA_ONLY!r}) & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_a_text_run_loads_no_model_library(tmp_path):
    """Not just the imports: a whole text-phase run (in-process at this size, so every stage runs here) leaves
    torch, open_clip, transformers, decord, matplotlib and scipy unloaded."""
    from bench.corpus import write_corpus

    write_corpus(str(tmp_path / "records.jsonl"), 300, seed=5)
    heavy = MEDIA_ONLY + ["matplotlib", "scipy"]
    code = ("import sys; from jobs.curate import run; "
            f"run(['--phase', 'text', '--input', {str(tmp_path / 'records.jsonl')!r}, '--output', "
            f"{str(tmp_path / 'out')!r}, '--quiet']); "
            f"print(sorted(set({heavy!r}) & {{m.split('.')[0] for m in sys.modules}}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout
    assert (tmp_path / "out" / "ledger").is_dir()
