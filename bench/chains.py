"""Repost chains: reposts of reposts, each a one-character edit of the one before, durations drifting < 1 s.

Why: a chain is the worst case for clustering (a path, not a star), and it is what a platform really holds: a
video reposted, the repost reposted with its title touched again, and so on. The first and last titles of a chain
share little, so only the transitive closure puts them together; every chain must come out as one cluster with one
record kept. Records are shuffled so that record ids run along a chain in random order.
"""
from __future__ import annotations

import json
import random
from typing import Any

from bench.corpus import _EDIT_CHARS, _HAN
from bench.titles import TitleMaker


def _substitute(title: str, rng: random.Random) -> str:
    """One Chinese character replaced by another (the title keeps its length, numbers and tags)."""
    spots = [i for i, c in enumerate(title) if _HAN.match(c)]
    i = rng.choice(spots)
    return title[:i] + rng.choice(_EDIT_CHARS.replace(title[i], "")) + title[i + 1:]


def repost_chains(chains: int, length: int, seed: int = 0) -> list[dict[str, Any]]:
    """``chains`` x ``length`` records (shuffled); each carries ``chain`` (its chain number) for checks."""
    rng = random.Random(seed)
    maker = TitleMaker(rng)
    records = []
    ids = rng.sample(range(10_000_000, 99_999_999), chains * length)
    for chain in range(chains):
        category = maker.category()
        duration = round(rng.uniform(25, 100), 2)
        title = maker.clean(category, duration, lo=14, hi=30)
        for step in range(length):
            records.append({"video_id": f"r{ids[chain * length + step]}", "title": title, "duration": duration,
                            "category": category, "chain": chain, "step": step})
            title = _substitute(title, rng)
            duration = round(min(119.0, max(11.0, duration + rng.uniform(-0.9, 0.9))), 2)
    rng.shuffle(records)
    return records


def write_chains(path: str, chains: int, length: int, seed: int = 0) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in repost_chains(chains, length, seed))


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("--chains", type=int, default=100)
    parser.add_argument("--length", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_chains(args.path, args.chains, args.length, args.seed)
