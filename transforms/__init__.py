"""Beam PTransforms, one per stage, thin wrappers over ``filters``. Records travel as batches (lists of dicts)."""
import pipeline.uris  # noqa: F401 - registers Beam's FileSystems as the filters' URI reader (filters.remote_files)
