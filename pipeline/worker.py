"""Entry point of the local runner's worker processes: Beam's SDK harness with quiet logging.

The FnApiRunner starts ``python -m apache_beam.runners.worker.sdk_worker_main`` without the pipeline options, so
every worker logs its start-up and shutdown at INFO. This wrapper gives the root logger an ERROR-level handler
first (Beam then adds none of its own; errors still show) and filters Beam's import-time note about missing GCP client libraries.
"""
import logging
import sys

from jobs import _not_apitools_noise

if __name__ == "__main__":
    handler = logging.StreamHandler()
    handler.setLevel(logging.ERROR)
    handler.addFilter(_not_apitools_noise)
    logging.getLogger().addHandler(handler)
    from apache_beam.runners.worker import sdk_worker_main

    sdk_worker_main.main(sys.argv)
