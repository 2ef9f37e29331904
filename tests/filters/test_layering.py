"""filters/ is plain Python: importing every filter loads neither Beam nor the pipeline package."""
import subprocess
import sys
from pathlib import Path

FILTERS = sorted(p.stem for p in (Path(__file__).resolve().parents[2] / "filters").glob("*.py") if p.stem != "__init__")


def test_filters_import_neither_beam_nor_pipeline():
    code = ("import sys\n"
            f"for name in {FILTERS!r}:\n"
            "    __import__('filters.' + name)\n"
            "print(sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in ('apache_beam', 'pipeline',"
            " 'transforms', 'jobs')}))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
