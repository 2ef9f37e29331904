import random

from rapidfuzz.distance import Levenshtein

from filters.edit_keys import deletion_keys


def keys(text):
    return set(deletion_keys([text])[1].tolist())


def neighbourhood(text):
    return {text} | {text[:i] + text[i + 1:] for i in range(len(text))}


def test_texts_within_one_edit_always_share_a_key_and_others_only_by_shared_deletions():
    rng = random.Random(7)
    alphabet = "ab中文字视频é1"
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
        t = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9)))
        shared = bool(keys(s) & keys(t))
        assert shared == bool(neighbourhood(s) & neighbourhood(t)), (s, t)
        if Levenshtein.distance(s, t) <= 1:
            assert shared


def test_batch_equals_one_by_one_and_skips_empty_texts():
    texts = ["李白连招教学", "", "李白连招教程", "x", ""]
    owner, batch = deletion_keys(texts)
    assert sorted(set(owner.tolist())) == [0, 2, 3]
    for i, text in enumerate(texts):
        assert set(batch[owner == i].tolist()) == (keys(text) if text else set())
    assert len(batch) == sum(len(t) + 1 for t in texts if t)
