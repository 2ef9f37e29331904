import numpy as np
from datasketch import MinHash

from filters.minhash import band_keys, candidate_probability, permutations, shingle_hashes, signatures


def test_signatures_equal_datasketch_for_same_shingles():
    texts = ["王者荣耀李白连招教学", "iphone15开箱测评", "a", "今天做个红烧肉"]
    sigs = signatures(texts, num_perm=64, ngram=2, seed=7)
    hashes, starts = shingle_hashes(texts, 2)
    ends = list(starts[1:]) + [len(hashes)]
    for i in range(len(texts)):
        ref = MinHash(num_perm=64, seed=7, hashfunc=int)  # datasketch's default scheme (affine32)
        for h in hashes[starts[i]:ends[i]]:
            ref.update(int(h))
        assert np.array_equal(ref.hashvalues.astype(np.uint32), sigs[i])


def test_permutations_equal_datasketch_for_several_sizes_and_seeds():
    for num_perm, seed in ((1, 0), (60, 1), (128, 7), (257, 12345)):
        a, b = MinHash(num_perm=num_perm, seed=seed).permutations
        ours = permutations(num_perm, seed)
        assert ours[0].dtype == np.uint32 and np.array_equal(ours[0], a) and np.array_equal(ours[1], b)


def test_chunking_does_not_change_signatures():
    texts = [f"标题{i}号视频" for i in range(9000)] + [""]
    whole = signatures(texts, 20, 2, 1)
    assert np.array_equal(whole[5000], signatures([texts[5000]], 20, 2, 1)[0])
    assert (whole[-1] == 0xFFFFFFFF).all()


def test_empty_text_has_max_signature_and_similar_texts_share_bands():
    sigs = signatures(["", "王者荣耀李白连招教学", "王者荣耀李白连招教学高清"], 112, 2, 1)
    assert (sigs[0] == 0xFFFFFFFF).all()
    keys = band_keys(sigs, 56, 2)
    assert keys.shape == (3, 56)
    assert (keys[1] == keys[2]).sum() >= 10
    assert (keys[0] == keys[1]).sum() == 0


def test_candidate_probability_curve():
    assert candidate_probability(0.3, 56, 2) > 0.99
    assert candidate_probability(0.05, 56, 2) < 0.15
