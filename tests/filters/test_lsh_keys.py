"""probe_entries against lsh_entries: an earlier text's entries found by one-cell probes are exactly those a new
text can share, whatever the durations, unknown durations and tolerance."""
import math
import random

import numpy as np
import pytest

from filters.bloom import Bloom, size_for
from filters.lsh_keys import concat_entries, lsh_entries, probe_entries, text_band_hashes
from filters.near_dup import text_hash
from filters.text_rows import TextRow, TextTable
from pipeline.config import NearDupConfig

ALPHABET = "王者荣耀李白连招教学程红烧肉周末海边露营老爸的拿手菜"


BASES = ["王者荣耀李白连招教学", "今天做个红烧肉吧", "周末去海边露营啦", "老爸的拿手菜糖醋排骨"]
OTHERS = ["第一次带猫咪去医院打针", "新手学吉他三个和弦", "北京胡同里的早餐摊", "手机拍星空的参数设置"]


def _texts(rng: random.Random, n: int, first_id: int, durations: list[float | None],
           bases: list[str] = BASES) -> TextTable:
    """One record per text (as an earlier run's index rows are): edits of a few base titles, random durations."""
    rows = []
    for i in range(n):
        text = list(rng.choice(bases))
        for _ in range(rng.randint(0, 2)):
            text[rng.randrange(len(text))] = rng.choice(ALPHABET)
        text = "".join(text)
        d = rng.choice(durations)
        lo, hi = (-math.inf, math.inf) if d is None else (d, d)
        rows.append(TextRow(text_hash(text) ^ (first_id + i), text, [((first_id + i, f"v{first_id + i}"), lo, hi)]))
    return TextTable.of(rows)


def _entries(table: TextTable, config: NearDupConfig, cells_below: int = 0) -> set[tuple[int, int]]:
    e = lsh_entries(table, config, text_band_hashes(table.texts, config), cells_below)
    return set(zip(e.keys.tolist(), e.text.tolist()))


@pytest.mark.parametrize("config", [NearDupConfig(), NearDupConfig(max_edits=0),
                                    NearDupConfig(duration_tolerance=math.inf), NearDupConfig(duration_tolerance=0.5)])
def test_probes_find_every_entry_a_new_text_shares(config):
    rng = random.Random(7)
    durations = [None] + [round(rng.uniform(10, 20), 2) for _ in range(30)]
    new = _texts(rng, 150, 1, durations)
    earlier = TextTable.concat([_texts(rng, 400, 10_000, durations), _texts(rng, 400, 20_000, durations, OTHERS)])
    new_keys = {key for key, _ in _entries(new, config)}
    widened = np.array([key for key, _ in _entries(new, config, cells_below=1)], dtype=np.uint64)
    bloom = Bloom(size_for(len(widened))).add(widened)
    keys, text = probe_entries(earlier, config, text_band_hashes(earlier.texts, config), bloom)
    found = set(zip(keys.tolist(), text.tolist()))
    everything = _entries(earlier, config)
    needed = {(key, t) for key, t in everything if key in new_keys}
    assert needed and needed <= found <= everything
    unrelated = {(key, t) for key, t in everything if t >= 400}
    assert len(found & unrelated) < 0.05 * len(unrelated)   # and the probes do filter


def test_a_filter_of_the_texts_own_entries_passes_all_of_them():
    config = NearDupConfig()
    table = _texts(random.Random(3), 200, 1, [None, 12.0, 12.9, 13.7, 30.0])
    keys = np.array([key for key, _ in _entries(table, config, cells_below=1)], dtype=np.uint64)
    found = probe_entries(table, config, text_band_hashes(table.texts, config),
                          Bloom(size_for(len(keys))).add(keys))
    assert set(zip(found[0].tolist(), found[1].tolist())) == _entries(table, config)


def test_texts_of_several_records_are_refused():
    config = NearDupConfig()
    table = TextTable.of([TextRow(1, "王者荣耀李白连招教学", [((1, "a"), 10.0, 10.0), ((2, "b"), 30.0, 30.0)])])
    with pytest.raises(ValueError):
        probe_entries(table, config, text_band_hashes(table.texts, config), Bloom(1 << 16))


def test_concatenated_entries_name_the_same_texts_as_entries_of_the_concatenated_table():
    config = NearDupConfig()
    rng = random.Random(5)
    a, b = _texts(rng, 30, 1, [10.0, None]), _texts(rng, 20, 100, [11.0, 40.0])
    joined = concat_entries([lsh_entries(a, config), lsh_entries(b, config)])
    whole = lsh_entries(TextTable.concat([a, b]), config)

    def named(e):
        return sorted(zip(e.keys.tolist(), e.hashes[e.text.astype(np.int64)].tolist(), e.sketches[e.text].tolist()))

    assert named(joined) == named(whole)
    assert np.array_equal(joined.earlier, whole.earlier)
