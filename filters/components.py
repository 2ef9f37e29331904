"""Connected components by alternating large-star / small-star rounds (Kiveris et al., SoCC 2014).

Each round is a pure function over the edges incident to a set of nodes, so in Beam it is one GroupByKey over node
partitions and no machine ever holds the whole graph. Nodes are (record_id, video_id) tuples ordered by record_id;
at convergence every node's smallest neighbour (or itself) is its component's minimum, the representative. The
edges dedup emits are already stars, so a couple of rounds suffice; ``cc_rounds`` bounds them.
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


def labels(oriented: Iterable[Edge]) -> dict[Node, Node]:
    """Smallest node of each node's closed neighbourhood: the representative once the rounds have converged."""
    return {u: min(min(nbrs), u) for u, nbrs in _neighbours(oriented).items()}


def components_local(edges: Iterable[Edge], rounds: int = 32) -> dict[Node, Node]:
    """Reference single-machine run of the same rounds (used by tests and small inputs)."""
    edges = list(edges)
    for _ in range(rounds):
        new = small_star(smaller_side(large_star(both_ways(edges))))
        if set(new) == set(edges):
            break
        edges = new
    return labels(both_ways(edges))
