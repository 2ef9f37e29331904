"""Retrieval ranks and recalls on score matrices whose answers are known by hand."""
import numpy as np

from training.metrics import recall_at, retrieval_ranks


def test_perfect_and_reversed_scores():
    v2t, t2v = retrieval_ranks(np.eye(4), np.arange(4))
    assert v2t.tolist() == [1, 1, 1, 1] and t2v.tolist() == [1, 1, 1, 1]
    v2t, t2v = retrieval_ranks(-np.eye(4), np.arange(4))
    assert v2t.tolist() == [4, 4, 4, 4] and t2v.tolist() == [4, 4, 4, 4]


def test_ties_count_against_the_model():
    v2t, t2v = retrieval_ranks(np.zeros((5, 5)), np.arange(5))
    assert set(v2t.tolist()) == {5} and set(t2v.tolist()) == {5}


def test_a_video_with_two_captions_ranks_by_its_best():
    scores = np.array([[0.9, 0.1, 0.5],   # video 0: captions 0 and 1
                       [0.8, 0.2, 0.7]])  # video 1: caption 2
    v2t, t2v = retrieval_ranks(scores, np.array([0, 0, 1]))
    assert v2t.tolist() == [1, 2]         # video 1's caption is beaten by caption 0
    assert t2v.tolist() == [1, 2, 1]
    r = recall_at(t2v, (1, 5))
    assert r == {"R@1": 66.67, "R@5": 100.0, "median_rank": 1.0}
