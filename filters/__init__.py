"""Plain-Python filters and scorers (no Beam).

Every filter follows one contract (see ``filters.base``): ``score(record) -> dict`` computes the ledger columns it
owns, ``decide(scores) -> reason | None`` compares them with config thresholds. Keeping the two apart is what lets
``reshard`` change a threshold by re-reading the ledger instead of recomputing.
"""
