"""`pip install .` (no extras) runs `curate --phase text`: nothing on that path imports a media-extra package."""
import subprocess
import sys

MEDIA_ONLY = ["webdataset", "torch", "torchvision", "decord", "open_clip", "transformers", "ffmpeg", "PIL"]


def test_text_phase_imports_no_media_package():
    code = ("import sys, jobs.curate, jobs.audit, jobs.reshard, pipeline.build; "
            f"print(sorted(set({MEDIA_ONLY!r}) & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
