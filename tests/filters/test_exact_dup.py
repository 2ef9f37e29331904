from filters.exact_dup import exact_keys, resolve


def _item(rid, vid, alive=True, md5=None, path=None, title="标题", duration=30.0):
    return (rid, vid, alive, md5, path, title, duration, title)


def test_earliest_record_wins_and_reasons_name_the_key():
    items = [_item(1, "a", md5="m1"), _item(2, "b", md5="m1", title="别的"), _item(3, "a", title="另一个"),
             _item(4, "d", path="p", title="x1"), _item(5, "e", path="p", title="x2"), _item(6, "f"),
             _item(7, "g", alive=False, md5="m1")]
    entries = [(k, key, it[0], it[1]) for it in items for k, key in exact_keys(it, ["md5", "video_path",
                                                                                    "title_duration"])]
    decisions, edges = resolve(entries)
    assert decisions[2]["dup_key"] == "md5" and decisions[2]["dup_of"] == "a"
    assert decisions[3]["dup_key"] == "video_id"
    assert decisions[5]["dup_key"] == "video_path" and decisions[5]["dup_of"] == "d"
    assert decisions[6]["dup_key"] == "title_duration"
    assert 7 not in decisions and 1 not in decisions  # rejected records do not take part in content keys
    assert ((2, "b"), (1, "a")) in edges


def test_hundred_thousand_copies_is_linear():
    items = [_item(i, f"v{i}") for i in range(100_000)]
    entries = [(k, key, it[0], it[1]) for it in items for k, key in exact_keys(it, ["title_duration"])]
    decisions, _ = resolve(entries)
    assert len(decisions) == 99_999
