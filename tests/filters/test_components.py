import random

from filters.components import both_ways, components_local, of_nodes, settle, star_rounds


def union_find(edges):
    """The reference: breadth-first search over the undirected graph, each component labelled by its minimum."""
    adjacent = {}
    for u, v in edges:
        adjacent.setdefault(u, set()).add(v)
        adjacent.setdefault(v, set()).add(u)
    labels = {}
    for start in sorted(adjacent):
        if start in labels:
            continue
        component, frontier = {start}, [start]
        while frontier:
            frontier = [n for node in frontier for n in adjacent[node] if n not in component]
            component.update(frontier)
        labels.update((node, min(component)) for node in component)
    return labels


def random_graph(rng, nodes=60, edges=50):
    names = [(i, f"v{i}") for i in rng.sample(range(1000), nodes)]
    pairs = [(rng.choice(names), rng.choice(names)) for _ in range(edges)]
    return [(u, v) for u, v in pairs if u != v]


def chain(n, start=0, shuffle=None):
    nodes = [(i, str(i)) for i in range(start, start + n)]
    if shuffle is not None:  # the order of record ids along the chain is arbitrary, as for reposts of reposts
        shuffle.shuffle(nodes)
    return list(zip(nodes[1:], nodes[:-1]))


def test_random_graphs_match_union_find_for_any_number_of_rounds():
    rng = random.Random(3)
    for _ in range(40):
        edges = random_graph(rng, nodes=rng.randint(5, 80), edges=rng.randint(1, 120))
        want = union_find(edges)
        for rounds in (0, 1, 2, 6):
            assert components_local(edges, rounds) == want


def test_long_chains_give_one_cluster_each_even_with_too_few_rounds():
    rng = random.Random(5)
    edges = [e for c in range(100) for e in chain(100, start=c * 100, shuffle=rng)]
    for rounds in (1, 3, 6):
        labels = components_local(edges, rounds)
        assert len(set(labels.values())) == 100
        assert labels == union_find(edges)


def test_settle_leaves_nothing_residual_once_converged():
    edges, _ = of_nodes(chain(50))
    converged = star_rounds(edges, 20)
    settled, residual = settle(both_ways(converged))
    assert len(residual) == 0
    assert sorted(settled.nodes.tolist()) == list(range(50)) and set(settled.candidates.tolist()) == {0}
    _, residual = settle(both_ways(star_rounds(of_nodes(chain(2000))[0], 1)))
    assert len(residual)  # one round cannot finish a long chain: the exact finish does
