"""Connected components by alternating large-star / small-star rounds (Kiveris et al., SoCC 2014), finished exactly.

Each round is a pure function over the edges incident to a set of nodes, so in Beam it is one GroupByKey over node
partitions and no machine ever holds the whole graph. Nodes are record ids (int64) and edges two arrays (u, v), so a
round is a sort and a few ``reduceat`` calls, and an edge crosses a shuffle as 16 bytes (as pickled tuples of
(record_id, video_id) nodes, the rounds cost 7% of a 1M-record text run). Every component is labelled with its
smallest record id, the representative; ``name_nodes`` gives its video id back once, at the end.

The rounds alone do not always converge in a fixed number (reposts of reposts form long chains, not stars), and a
Beam graph cannot loop until nothing changes. So after ``rounds`` rounds ``settle`` splits the edges: an edge from
a leaf (its only neighbour is smaller) to a root (no smaller neighbour) is final; every other edge is *residual*.
Removing final edges only removes pendant leaves, so each component's residual edges stay connected and contain
its smallest node. A union-find over the residual edges (``residual_roots``) and one lookup per leaf then gives the
exact labels, whatever the rounds left undone. The residual shrinks geometrically with the rounds (empty on every
corpus measured with the default 6), so the one place it is gathered handles only what did not converge.
"""
from __future__ import annotations

from typing import Iterable, NamedTuple

import numpy as np

from schemas.records import Representative

Node = tuple  # (record_id, video_id), as the dedup stages emit edges


class Edges(NamedTuple):
    """Edges u -> v between record ids."""
    u: np.ndarray  # int64
    v: np.ndarray  # int64

    @staticmethod
    def empty() -> "Edges":
        return Edges(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    @staticmethod
    def concat(parts: Iterable["Edges"]) -> "Edges":
        parts = list(parts)
        if not parts:
            return Edges.empty()
        return Edges(np.concatenate([p.u for p in parts]), np.concatenate([p.v for p in parts]))

    def __len__(self) -> int:  # type: ignore[override] - the number of edges, not of fields
        return len(self.u)


def of_nodes(edges: Iterable[tuple[Node, Node]]) -> tuple[Edges, dict[int, str]]:
    """Edges between (record_id, video_id) nodes -> record-id edges, and each node's video id."""
    edges = edges if isinstance(edges, list) else list(edges)
    names = {node[0]: node[1] for edge in edges for node in edge}
    u = np.fromiter((edge[0][0] for edge in edges), dtype=np.int64, count=len(edges))
    v = np.fromiter((edge[1][0] for edge in edges), dtype=np.int64, count=len(edges))
    return Edges(u, v), names


def _adjacency(edges: Edges) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Distinct edges without self-loops sorted by (u, v), and each node's run: (u, v, run starts, run sizes)."""
    keep = edges.u != edges.v
    u, v = edges.u[keep], edges.v[keep]
    order = np.lexsort((v, u))
    u, v = u[order], v[order]
    distinct = np.ones(len(u), dtype=bool)
    distinct[1:] = (u[1:] != u[:-1]) | (v[1:] != v[:-1])
    u, v = u[distinct], v[distinct]
    starts = np.flatnonzero(np.r_[True, u[1:] != u[:-1]]) if len(u) else np.zeros(0, dtype=np.int64)
    return u, v, starts, np.diff(np.r_[starts, len(u)])


def large_star(edges: Edges) -> Edges:
    """For each node u: connect every larger neighbour to the smallest node of u's closed neighbourhood."""
    u, v, starts, sizes = _adjacency(edges)
    if not len(u):
        return Edges.empty()
    smallest = np.repeat(np.minimum(v[starts], u[starts]), sizes)  # v is sorted within a run: v[start] is its min
    larger = v > u
    return Edges(v[larger], smallest[larger])


def small_star(edges: Edges) -> Edges:
    """For each node u (given its smaller neighbours): connect u and them to the smallest of them."""
    u, v, starts, sizes = _adjacency(edges)
    if not len(u):
        return Edges.empty()
    smallest = np.repeat(v[starts], sizes)
    others = v != smallest
    return Edges(np.concatenate([u[starts], v[others]]), np.concatenate([v[starts], smallest[others]]))


def both_ways(edges: Edges) -> Edges:
    return Edges(np.concatenate([edges.u, edges.v]), np.concatenate([edges.v, edges.u]))


def smaller_side(edges: Edges) -> Edges:
    """Orient each edge from its larger to its smaller end, as small_star expects."""
    keep = edges.u != edges.v
    u, v = edges.u[keep], edges.v[keep]
    return Edges(np.maximum(u, v), np.minimum(u, v))


class Settled(NamedTuple):
    nodes: np.ndarray       # every node with an edge
    candidates: np.ndarray  # its root if it is a leaf, else itself (the union-find may lower it)


def settle(edges: Edges) -> tuple[Settled, Edges]:
    """Given every edge of a set of nodes (both directions): each node's candidate label, and the residual edges."""
    u, v, starts, sizes = _adjacency(edges)
    if not len(u):
        return Settled(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)), Edges.empty()
    smaller = np.add.reduceat((v < u).astype(np.int64), starts)
    leaf = (sizes == 1) & (smaller == 1)
    nodes = u[starts]
    candidates = np.where(leaf, v[starts], nodes)
    residual = np.repeat((smaller > 0) & ~leaf, sizes)  # neither a root nor a leaf: none of its edges is final
    return Settled(nodes, candidates), Edges(u[residual], v[residual])


def residual_roots(residual: Edges) -> tuple[np.ndarray, np.ndarray]:
    """Union-find (path halving, smaller root wins) over the residual edges: (nodes sorted, smallest node of each
    one's set)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in zip(residual.u.tolist(), residual.v.tolist()):
        a, b = find(a), find(b)
        if a != b:
            parent[max(a, b)] = min(a, b)
    nodes = np.array(sorted(parent), dtype=np.int64)
    return nodes, np.array([find(x) for x in nodes.tolist()], dtype=np.int64)


def final_labels(settled: Settled, roots: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Each settled node's representative: its candidate, lowered to the candidate's union-find root if it has one."""
    nodes, their_roots = roots
    labels = settled.candidates.copy()
    if len(nodes):
        at = np.minimum(np.searchsorted(nodes, labels), len(nodes) - 1)
        found = nodes[at] == labels
        labels[found] = their_roots[at[found]]
    return labels


def star_rounds(edges: Edges, rounds: int) -> Edges:
    """``rounds`` large-star + small-star rounds (the pipeline unrolls the same rounds as shuffles)."""
    for _ in range(rounds):
        edges = small_star(smaller_side(large_star(both_ways(edges))))
    return edges


def components_local(edges: Iterable[tuple[Node, Node]], rounds: int = 6) -> dict[Node, Representative]:
    """The pipeline's algorithm in one process (tests): exact labels for any graph and any ``rounds``."""
    ids, names = of_nodes(edges)
    settled, residual = settle(both_ways(star_rounds(ids, rounds)))
    labels = final_labels(settled, residual_roots(residual))
    return {(node, names[node]): Representative(rep, names[rep])
            for node, rep in zip(settled.nodes.tolist(), labels.tolist())}
