"""ConnectedComponents as a real Beam pipeline (FnApiRunner) against a union-find, with rounds that cannot finish."""
import random

import apache_beam as beam
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.testing.util import assert_that, equal_to

from tests.filters.test_components import chain, random_graph, union_find
from transforms.batching import Exchange
from transforms.components import ConnectedComponents


def assert_components(edges, rounds, want, spill_dir=None):
    exchange = Exchange(str(spill_dir) if spill_dir else None)
    batches = [edges[i:i + 97] for i in range(0, len(edges), 97)]
    with beam.Pipeline(runner=FnApiRunner()) as p:
        labels = (p | beam.Create(batches, reshuffle=False) | ConnectedComponents(rounds, 7, exchange)
                  | beam.FlatMap(list))
        assert_that(labels, equal_to(sorted(want.items())))


def test_chains_and_random_graphs_equal_union_find(tmp_path):
    rng = random.Random(11)
    edges = [e for c in range(20) for e in chain(60, start=c * 60, shuffle=rng)]
    offset = 10_000
    for _ in range(10):
        edges += [((u[0] + offset, u[1]), (v[0] + offset, v[1])) for u, v in random_graph(rng)]
        offset += 1000
    want = {node[0]: rep for node, rep in union_find(edges).items()}
    assert_components(edges, 1, want)            # mostly residual: the exact finish does the work
    assert_components(edges, 6, want, tmp_path)  # spilled, as the pipeline runs it
