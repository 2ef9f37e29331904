"""The exchange's split: every item once, in the partition ``partition_of`` names, input order kept within one."""
import numpy as np
import pyarrow as pa

from transforms.batching import Exchange, pack, partition_of, partitions_of, unpack


def node_key(edge: tuple) -> int:
    return edge[0][0]


def test_split_matches_the_per_item_rule_and_keeps_order():
    rng = np.random.default_rng(1)
    ids = rng.integers(0, 1 << 50, size=500).tolist()
    edges = [((a, f"v{a}"), (b, f"v{b}")) for a, b in zip(ids, reversed(ids))]
    exchange = Exchange()
    pieces = list(exchange.split("edges", iter(edges), node_key, 7))
    assert [p for p, _ in pieces] == sorted({partition_of(e[0][0], 7) for e in edges})
    for partition, ref in pieces:
        assert exchange.get(ref) == [e for e in edges if partition_of(e[0][0], 7) == partition]
    assert list(exchange.split("edges", [], node_key, 7)) == []


def test_split_by_slices_columns_per_partition():
    keys = np.array([5, 9, 5, 2**40, 7], dtype=np.int64)
    values = np.arange(len(keys)) * 10
    exchange = Exchange()
    pieces = list(exchange.split_by("cols", keys, 3, lambda where: values[where]))
    assert [p for p, _ in pieces] == sorted(set(partitions_of(keys, 3).tolist()))
    for partition, ref in pieces:
        assert exchange.get(ref).tolist() == [v for k, v in zip(keys.tolist(), values.tolist())
                                              if partition_of(k, 3) == partition]
    assert list(exchange.split_by("cols", keys[:0], 3, lambda where: values[where])) == []


def test_partitions_of_equals_partition_of():
    values = np.array([0, 1, 2**40 + 5, 2**62 + 3], dtype=np.int64)
    assert partitions_of(values, 13).tolist() == [partition_of(int(v), 13) for v in values]


def test_tables_travel_as_arrow_ipc_and_objects_as_pickles():
    table = pa.table({"a": [1, 2]})
    assert unpack(pack(table)).equals(table)
    assert unpack(pack([(1, "x")])) == [(1, "x")]
