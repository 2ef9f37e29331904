"""Connected components by alternating large-star / small-star rounds (Kiveris et al., SoCC 2014), finished exactly.

Each round is a pure function over the edges incident to a set of nodes, so in Beam it is one GroupByKey over node
partitions and no machine ever holds the whole graph. Nodes are (record_id, video_id) tuples ordered by record_id;
every component is labelled with its smallest node, the representative.

The rounds alone do not always converge in a fixed number (reposts of reposts form long chains, not stars), and a
Beam graph cannot loop until nothing changes. So after ``rounds`` rounds ``settle`` splits the edges: an edge from
a leaf (its only neighbour is smaller) to a root (no smaller neighbour) is final; every other edge is *residual*.
Removing final edges only removes pendant leaves, so each component's residual edges stay connected and contain
its smallest node. A union-find over the residual edges (``residual_roots``) and one lookup per leaf then gives the
exact labels, whatever the rounds left undone. The residual shrinks geometrically with the rounds (empty on every
corpus measured with the default 6), so the one place it is gathered handles only what did not converge.
"""
from __future__ import annotations

from collections import defaultdict
from typing import Iterable

Node = tuple  # (record_id, video_id)
Edge = tuple  # (Node, Node)


def _neighbours(oriented: Iterable[Edge]) -> dict[Node, set[Node]]:
    adj: dict[Node, set[Node]] = defaultdict(set)
    for u, v in oriented:
        if u != v:
            adj[u].add(v)
    return adj


def large_star(oriented: Iterable[Edge]) -> list[Edge]:
    """For each node u: connect every larger neighbour to the smallest node of u's closed neighbourhood."""
    out = []
    for u, nbrs in _neighbours(oriented).items():
        m = min(min(nbrs), u)
        out.extend((v, m) for v in nbrs if v > u and v != m)
    return out


def small_star(oriented: Iterable[Edge]) -> list[Edge]:
    """For each node u (given its smaller neighbours): connect u and them to the smallest of them."""
    out = []
    for u, smaller in _neighbours(oriented).items():
        m = min(smaller)
        out.append((u, m))
        out.extend((v, m) for v in smaller if v != m)
    return out


def both_ways(edges: Iterable[Edge]) -> Iterable[Edge]:
    for u, v in edges:
        yield u, v
        yield v, u


def smaller_side(edges: Iterable[Edge]) -> Iterable[Edge]:
    """Orient each edge from its larger to its smaller end, as small_star expects."""
    for u, v in edges:
        if u != v:
            yield (u, v) if v < u else (v, u)


def settle(oriented: Iterable[Edge]) -> tuple[list[tuple[Node, Node]], list[Edge]]:
    """Given every edge of a set of nodes (both directions): (node, candidate label) for each node, and the
    residual edges. A leaf's candidate is its root; every other node's is itself (the union-find may lower it)."""
    labels, residual = [], []
    for u, nbrs in _neighbours(oriented).items():
        smaller = [v for v in nbrs if v < u]
        if len(smaller) == 1 and len(nbrs) == 1:
            labels.append((u, smaller[0]))
            continue
        labels.append((u, u))
        if smaller:  # not a root, and not a leaf: none of its edges is final
            residual.extend((u, v) for v in nbrs)
    return labels, residual


def residual_roots(residual: Iterable[Edge]) -> dict[Node, Node]:
    """Union-find (path halving, smaller root wins) over the residual edges: node -> smallest node of its set."""
    parent: dict[Node, Node] = {}

    def find(x: Node) -> Node:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in residual:
        a, b = find(u), find(v)
        if a != b:
            parent[max(a, b)] = min(a, b)
    return {x: find(x) for x in parent}


def final_label(candidate: Node, roots: dict[Node, Node]) -> Node:
    return roots.get(candidate, candidate)


def star_rounds(edges: Iterable[Edge], rounds: int) -> list[Edge]:
    """``rounds`` large-star + small-star rounds (the pipeline unrolls the same rounds as shuffles)."""
    edges = list(edges)
    for _ in range(rounds):
        edges = small_star(smaller_side(large_star(both_ways(edges))))
    return edges


def components_local(edges: Iterable[Edge], rounds: int = 6) -> dict[Node, Node]:
    """The pipeline's algorithm in one process (reshard and tests): exact labels for any graph and any ``rounds``."""
    labels, residual = settle(both_ways(star_rounds(edges, rounds)))
    roots = residual_roots(residual)
    return {node: final_label(candidate, roots) for node, candidate in labels}
