"""Beam PTransforms, one per stage, thin wrappers over ``filters``. Records travel as batches (lists of dicts)."""
