"""Benchmarks and the synthetic corpus they run on (planted defects with ground truth)."""
