"""The shard loader on real WebDataset shards of real ffmpeg clips: batch format, skipped samples counted by reason,
determinism, exact resume with 0 and 2 DataLoader workers, epochs, DDP split, evaluation, and shard expansion."""
import io
import json
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
import torch
import webdataset as wds

from models.char_tokenizer import EOT_ID, PAD_ID, CharTokenizer
from schemas.shard_index import sample_key
from schemas.taxonomy import NAMES
from training.augment import EvalTransform, frames_to_tensor
from training.data import ShardVideoDataset, derive_seed, expand_shards, make_loader
from training.video_frames import decode_frames

SOURCES = ["testsrc2", "smptebars", "rgbtestsrc", "color=c=red", "color=c=blue", "mandelbrot", "testsrc",
           "color=c=green"]
CATEGORIES = ["宠物", "Food Review", None, "not a class", "12", "旅游", None, "科技"]
T, S, B = 4, 32, 3


def _clip(path: Path, source: str, container: str = "mp4") -> bytes:
    options = ("size=80x64" if "color" not in source else "size=64x64") + ":rate=10"
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"{source}{':' if '=' in source else '='}{options}",
                    "-t", "2", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-f", container,
                    str(path)], check=True, timeout=60)
    return path.read_bytes()


def _sample(video_id: str, title: str, video: bytes | None, ext: str = "mp4", category=None, txt=True, **row):
    """A sample as transforms/shards.py writes it; ``txt``: True (the title), False (none) or raw bytes."""
    row = {"video_id": video_id, "title": title, "category": category, **row}
    sample = {"__key__": sample_key(video_id), "json": json.dumps(row, ensure_ascii=False).encode("utf-8")}
    if txt is not False:
        sample["txt"] = title.encode("utf-8") if txt is True else txt
    if video is not None:
        sample[ext] = video
    return sample


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    """3 shards x 4 samples: 8 good clips (one .mkv, one titled only in its json, one relabelled) and one each of
    corrupt video, missing video, bad utf-8 title, empty title."""
    root = tmp_path_factory.mktemp("shards")
    good = []
    for i, source in enumerate(SOURCES):
        container = "matroska" if i == 5 else "mp4"
        video = _clip(root / f"clip{i}.{container}", source, container)
        extra = {"width": 80, "height": 64} if i % 2 else {}
        if i == 6:
            extra.update(category_outcome="relabelled", category_new="汽车")
        good.append(_sample(f"vid{i}", f"视频{i}号 {source}", video, "mkv" if i == 5 else "mp4", CATEGORIES[i],
                            txt=i != 3, **extra))
    normal = good[0]["mp4"]
    bad = [_sample("corrupt", "坏视频", normal[: len(normal) // 3]), _sample("novideo", "没有视频", None),
           _sample("badutf8", "坏编码", normal, txt=b"\xff\xfe\xfa"), _sample("notitle", "", normal)]
    order = [good[0], bad[0], good[1], good[2], good[3], bad[1], bad[2], good[4], good[5], good[6], bad[3], good[7]]
    for number in range(3):
        with wds.TarWriter(str(root / f"shard-{number:06d}.tar")) as writer:
            for sample in order[4 * number: 4 * number + 4]:
                writer.write(sample)
    titles = [s["txt"].decode() if "txt" in s else json.loads(s["json"])["title"] for s in good]
    return {"root": root, "pattern": str(root / "shard-{000000..000002}.tar"), "good": good, "titles": titles,
            "tokenizer": CharTokenizer.from_corpus(titles)}


def _dataset(shards, **options):
    settings = dict(num_frames=T, image_size=S, tokenizer=shards["tokenizer"].encode, max_text_tokens=8,
                    batch_size=B, train=True, seed=11, pad_id=PAD_ID, eos_id=EOT_ID, categories=NAMES)
    spec = options.pop("spec", shards["pattern"])
    settings.update(options)
    return ShardVideoDataset(spec, **settings)


def _take(dataset, count, workers=0):
    batches = []
    for batch in make_loader(dataset, num_workers=workers, persistent_workers=False):
        batches.append(batch)
        if len(batches) == count:
            return batches
    return batches


def _same(a, b):
    assert a["keys"] == b["keys"] and a["batch"] == b["batch"] and a["skipped"] == b["skipped"]
    for name in ("video", "input_ids", "attention_mask", "category"):
        assert torch.equal(a[name], b[name]), name


def test_batch_format_and_skip_counts(shards):
    batches = _take(_dataset(shards), 4)  # one epoch: 12 raw samples in groups of 3
    assert [b["batch"] for b in batches] == [0, 1, 2, 3]
    skipped, keys = Counter(), []
    for batch in batches:
        n = len(batch["keys"])
        assert batch["video"].shape == (n, T, 3, S, S) and batch["video"].dtype == torch.float32
        assert batch["input_ids"].dtype == batch["attention_mask"].dtype == batch["category"].dtype == torch.long
        assert batch["input_ids"].shape == batch["attention_mask"].shape and batch["input_ids"].shape[1] <= 8
        assert n == len(batch["titles"]) == len(batch["category"]) == batch["input_ids"].shape[0]
        assert n + sum(batch["skipped"].values()) == B
        skipped.update(batch["skipped"])
        keys += batch["keys"]
        for row, title in zip(batch["input_ids"], batch["titles"]):
            ids = row[row != PAD_ID].tolist()
            assert ids[-1] == EOT_ID and shards["tokenizer"].decode(ids) == title.replace(" ", "")[:7]
        if n:
            assert batch["input_ids"].shape[1] == int(batch["attention_mask"].sum(1).max())
    assert skipped == {"undecodable_video": 1, "missing_video": 1, "bad_utf8": 1, "no_title": 1}
    assert sorted(keys) == sorted(s["__key__"] for s in shards["good"])
    by_key = {k: (t, int(c)) for b in batches for k, t, c in zip(b["keys"], b["titles"], b["category"])}
    categories = [by_key[s["__key__"]][1] for s in shards["good"]]
    assert categories == [NAMES.index("宠物"), NAMES.index("美食测评"), -1, -1, 12, NAMES.index("旅游"),
                          NAMES.index("汽车"), NAMES.index("科技")]
    assert by_key[shards["good"][3]["__key__"]][0] == shards["titles"][3]  # no txt: the json title


def test_same_seed_same_batches_other_seed_other(shards):
    first, again = _take(_dataset(shards), 5), _take(_dataset(shards), 5)
    for a, b in zip(first, again):
        _same(a, b)
    other = _take(_dataset(shards, seed=12), 5)
    assert any(a["keys"] != b["keys"] or not torch.equal(a["video"], b["video"]) for a, b in zip(first, other))


def test_epochs_reshuffle_and_reaugment(shards):
    batches = _take(_dataset(shards), 12)  # three epochs
    epochs = [[k for b in batches[4 * e: 4 * e + 4] for k in b["keys"]] for e in range(3)]
    assert all(sorted(keys) == sorted(epochs[0]) for keys in epochs)
    assert len({tuple(keys) for keys in epochs}) > 1  # shard order changes with the epoch
    videos = [{k: v for b in batches[4 * e: 4 * e + 4] for k, v in zip(b["keys"], b["video"])} for e in range(2)]
    assert all(not torch.equal(videos[0][k], videos[1][k]) for k in videos[0])  # new frames and crop each epoch


@pytest.mark.parametrize("workers", [0, 2])
def test_resume_equals_uninterrupted(shards, workers):
    reference = _take(_dataset(shards), 9)
    uninterrupted = _take(_dataset(shards), 9, workers)
    for a, b in zip(reference, uninterrupted, strict=True):
        _same(a, b)
    for start in (3, 5):  # odd starts: the first resumed batch is worker 0's even under 2 workers
        resumed = _take(_dataset(shards, start_batch=start), 9 - start, workers)
        for a, b in zip(reference[start:], resumed, strict=True):
            _same(a, b)
    jumped = _take(_dataset(shards, start_batch=7, samples_per_epoch=12), 2, workers)  # skips epoch 0 unread
    for a, b in zip(reference[7:], jumped, strict=True):
        _same(a, b)


def test_shuffle_buffer_is_seeded_and_resumable(shards):
    reference = _take(_dataset(shards, shuffle_buffer=5), 8)
    plain = _take(_dataset(shards), 8)
    keys = [[k for b in batches[:4] for k in b["keys"]] for batches in (reference, plain)]
    assert sorted(keys[0]) == sorted(keys[1]) and keys[0] != keys[1]
    for a, b in zip(reference[5:], _take(_dataset(shards, shuffle_buffer=5, start_batch=5), 3, workers=2), strict=True):
        _same(a, b)


def test_ranks_split_groups_between_them(shards):
    single = _take(_dataset(shards), 8)
    ranks = [_take(_dataset(shards, rank=r, world_size=2), 4, workers=2 if r else 0) for r in range(2)]
    for j in range(4):
        for r in range(2):
            assert ranks[r][j]["batch"] == j and ranks[r][j]["keys"] == single[2 * j + r]["keys"]
            assert torch.equal(ranks[r][j]["video"], single[2 * j + r]["video"])
    resumed = _take(_dataset(shards, rank=1, world_size=2, start_batch=1), 3, workers=2)
    for a, b in zip(ranks[1][1:], resumed, strict=True):
        _same(a, b)


@pytest.mark.parametrize("workers", [0, 2])
def test_eval_is_one_deterministic_pass_of_middle_frames(shards, workers):
    dataset = _dataset(shards, train=False, batch_size=5)
    batches = _take(dataset, 100, workers)
    assert [len(b["keys"]) + sum(b["skipped"].values()) for b in batches] == [5, 5, 2]
    keys = [k for b in batches for k in b["keys"]]
    assert keys == [s["__key__"] for s in shards["good"]]  # shard order as given, no shuffle
    loader = make_loader(dataset, num_workers=2)  # persistent workers: a second pass replays the first
    for again in (list(loader), list(loader)):
        for a, b in zip(batches, again, strict=True):
            _same(a, b)
    expected = decode_frames(shards["good"][0]["mp4"], T, short_side=S)
    assert torch.equal(batches[0]["video"][0], EvalTransform(S)(frames_to_tensor(expected)))


def test_unreadable_shards_are_counted_not_fatal(shards, tmp_path):
    data = (shards["root"] / "shard-000001.tar").read_bytes()
    (tmp_path / "a.tar").write_bytes((shards["root"] / "shard-000000.tar").read_bytes())
    (tmp_path / "b.tar").write_bytes(data[: len(data) // 2 + 100])  # cut inside a member
    (tmp_path / "c.tar").write_bytes(b"")
    dataset = _dataset(shards, spec=str(tmp_path / "*.tar"), train=False)
    (tmp_path / "c.tar").unlink()  # gone between listing and reading
    batches = _take(dataset, 100)
    skipped = Counter()
    for batch in batches:
        skipped.update(batch["skipped"])
    assert skipped["shard_error"] == 2 and sum(len(b["keys"]) for b in batches) >= 3


def test_all_failed_group_yields_an_empty_batch(shards, tmp_path):
    bad = [_sample("x1", "甲", b"junk"), _sample("x2", "乙", None), _sample("x3", "", b"")]
    with wds.TarWriter(str(tmp_path / "bad.tar")) as writer:
        for sample in bad:
            writer.write(sample)
    (batch,) = _take(_dataset(shards, spec=str(tmp_path / "bad.tar"), train=False), 5)
    assert batch["keys"] == [] and batch["video"].shape == (0, T, 3, S, S) and batch["input_ids"].shape == (0, 0)
    assert batch["skipped"] == {"undecodable_video": 1, "missing_video": 1, "no_title": 1}


def test_reads_the_shards_curation_writes(shards, tmp_path):
    from transforms.shards import write_shard

    video = tmp_path / "v.mp4"
    video.write_bytes(shards["good"][0]["mp4"])
    rows = [{"video_id": "a/../b", "status": "kept", "title": "好视频", "category": "宠物", "video_path": str(video),
             "width": 80, "height": 64},
            {"video_id": "gone", "status": "kept", "title": "没了", "category": None, "video_path": str(tmp_path / "x")}]
    index = write_shard((0, rows), str(tmp_path))
    (batch,) = _take(_dataset(shards, spec=str(tmp_path / "shard-*.tar"), train=False), 5)
    assert batch["keys"] == [index[0]["key"]] and batch["titles"] == ["好视频"]
    assert batch["skipped"] == {"missing_video": 1}
    assert batch["category"].tolist() == [NAMES.index("宠物")] and batch["video"].shape == (1, T, 3, S, S)


def test_expand_shards(shards, tmp_path):
    root = shards["root"]
    names = [str(root / f"shard-{i:06d}.tar") for i in range(3)]
    assert expand_shards(shards["pattern"]) == names
    assert expand_shards(str(root / "*.tar")) == names
    assert expand_shards([names[2], str(root / "shard-00000[01].tar")]) == [names[2]] + names[:2]
    remote = ["https://host/s-{0..1}.tar", "pipe:cat /x/y.tar", "gs://bucket/s-000001.tar"]
    assert expand_shards(remote) == ["https://host/s-0.tar", "https://host/s-1.tar", *remote[1:]]
    for missing in (str(tmp_path / "*.tar"), str(tmp_path / "s-{0..1}.tar"), [names[0], str(tmp_path / "x.tar")]):
        with pytest.raises(FileNotFoundError, match="no shards match"):
            expand_shards(missing)
    with pytest.raises(FileNotFoundError):
        expand_shards([])


def test_seeds_are_stable_and_distinct():
    assert derive_seed(1, 0, "k", "augment") == derive_seed(1, 0, "k", "augment") < 2 ** 63
    assert len({derive_seed(s, e, k) for s in range(3) for e in range(3) for k in "ab"}) == 18
    assert np.random.default_rng(derive_seed(0, "x")).integers(1 << 30) >= 0
