from filters.exact_dup import ExactKeys, resolve
from schemas.records import DedupItem


def _item(rid, vid, alive=True, md5=None, path=None, title="标题", duration=30.0):
    return DedupItem(rid, vid, alive, md5, path, title, duration, title)


def test_earliest_record_wins_and_reasons_name_the_key():
    items = [_item(1, "a", md5="m1"), _item(2, "b", md5="m1", title="别的"), _item(3, "a", title="另一个"),
             _item(4, "d", path="p", title="x1"), _item(5, "e", path="p", title="x2"), _item(6, "f"),
             _item(7, "g", alive=False, md5="m1")]
    keys = ExactKeys.of(items, ["md5", "video_path", "title_duration"])
    decisions, edges = resolve([ExactKeys.of(items[:3], []), keys])  # several tables of one shard
    assert decisions[2]["dup_key"] == "md5" and decisions[2]["dup_of"] == "a"
    assert decisions[3]["dup_key"] == "video_id"
    assert decisions[5]["dup_key"] == "video_path" and decisions[5]["dup_of"] == "d"
    assert decisions[6]["dup_key"] == "title_duration"
    assert 7 not in decisions and 1 not in decisions  # rejected records do not take part in content keys
    assert ((2, "b"), (1, "a")) in edges


def test_hundred_thousand_copies_is_linear():
    items = [_item(i, f"v{i}") for i in range(100_000)]
    decisions, _ = resolve([ExactKeys.of(items, ["title_duration"])])
    assert len(decisions) == 99_999
