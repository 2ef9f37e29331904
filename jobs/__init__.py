"""Command-line entry points. Each module exposes ``run(argv)`` returning a result, so tests can drive it."""
import logging


def _not_apitools_noise(record: logging.LogRecord) -> bool:
    # Beam warns at import time that optional GCP client libraries are absent; it is irrelevant off Google Cloud.
    return "apitools not found" not in record.getMessage()


logging.getLogger().addFilter(_not_apitools_noise)
