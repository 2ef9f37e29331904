import json

import numpy as np

from filters.category_check import CategoryCheckFilter, CategoryConfig
from filters.visual_safety import VisualSafetyConfig, VisualSafetyFilter, load_safety_head
from jobs import train_category_classifier, train_safety_head
from tests.filters.test_category_check import KEYWORDS, record, write_csv
from tests.filters.test_visual_safety import DIM, FakeEncoder, auc, labelled_videos


def test_train_safety_head_command(tmp_path, capsys):
    x, y = labelled_videos(300, seed=11)
    np.savez(tmp_path / "emb.npz", embeddings=x, labels=y, model_fingerprint="fake-clip")
    report = train_safety_head.run(["--embeddings", str(tmp_path / "emb.npz"), "--output", str(tmp_path / "h.npz")])
    assert json.loads(capsys.readouterr().out)["valid_auc"] == report["valid_auc"] >= 0.95
    _, _, meta = load_safety_head(tmp_path / "h.npz")
    assert meta["model_fingerprint"] == "fake-clip" and meta["n_train"] == report["n_train"]
    flt = VisualSafetyFilter(VisualSafetyConfig(head_path=str(tmp_path / "h.npz")), FakeEncoder())
    x_test, y_test = labelled_videos(200, seed=12)
    probs = np.array([flt.score({"frame_embeddings": v[None]})["visual_unsafe_head"] for v in x_test])
    assert auc(probs, y_test) >= 0.95


def test_train_safety_head_command_errors(tmp_path, capsys):
    np.savez(tmp_path / "bad.npz", embeddings=np.ones((4, DIM)))
    assert train_safety_head.main(["--embeddings", str(tmp_path / "bad.npz"), "--output", str(tmp_path / "h")]) == 2
    assert "missing array(s) labels" in capsys.readouterr().err
    (tmp_path / "junk.npz").write_text("not a zip")
    assert train_safety_head.main(["--embeddings", str(tmp_path / "junk.npz"), "--output", str(tmp_path / "h")]) == 2
    assert train_safety_head.main(["--embeddings", str(tmp_path / "none.npz"), "--output", str(tmp_path / "h")]) == 2
    assert not (tmp_path / "h").exists()


def test_train_category_classifier_command(tmp_path, capsys):
    data = write_csv(tmp_path / "cls.csv", n=250, seed=3, youku=True)
    out = tmp_path / "model" / "category.bin"
    report = train_category_classifier.run(["--input", str(data), "--output", str(out), "--dim", "20",
                                            "--no-quantize"])
    assert json.loads(capsys.readouterr().out)["labels"] == report["labels"] == sorted(KEYWORDS)
    assert report["accuracy"] >= 0.9 and sum(report["label_counts"].values()) == 250
    enc = FakeEncoder()
    flt = CategoryCheckFilter(CategoryConfig(classifier_path=str(out)), enc)
    s = flt.score(record(enc, "宠物", "红烧肉家常菜做法", "美食制作"))
    assert s["category_text_top"] == "美食制作" and s["category_outcome"] == "relabelled"


def test_train_category_classifier_command_errors(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("title,label\n篮球比赛,篮球\n猫咪日常,not-a-category\n", encoding="utf-8")
    assert train_category_classifier.main(["--input", str(bad), "--output", str(tmp_path / "m.bin")]) == 2
    assert "not-a-category" in capsys.readouterr().err
    assert train_category_classifier.main(["--input", str(tmp_path / "missing.csv"),
                                           "--output", str(tmp_path / "m.bin")]) == 2
