import random

from filters.components import components_local


def _reference(edges):
    parent = {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in edges:
        a, b = find(u), find(v)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {x: find(x) for x in parent}


def test_random_graphs_match_union_find():
    rng = random.Random(3)
    for _ in range(20):
        nodes = [(i, f"v{i}") for i in rng.sample(range(1000), 60)]
        edges = [(rng.choice(nodes), rng.choice(nodes)) for _ in range(50)]
        edges = [(u, v) for u, v in edges if u != v]
        got = components_local(edges)
        want = _reference(edges)
        assert got == want


def test_long_chain_converges_in_few_rounds():
    nodes = [(i, str(i)) for i in range(2000)]
    edges = list(zip(nodes[1:], nodes[:-1]))
    labels = components_local(edges, rounds=12)
    assert set(labels.values()) == {nodes[0]}
