"""Entry point of the local runner's worker processes: Beam's SDK harness with quiet logging.

The FnApiRunner starts ``python -m apache_beam.runners.worker.sdk_worker_main`` without the pipeline options, so
every worker logs its start-up and shutdown at INFO, and a failing bundle's traceback at ERROR. This wrapper gives
the root logger a CRITICAL-level handler first (Beam then adds none of its own): a failure reaches the command
through the Fn API, which prints one line and saves the traceback under <output>/_logs, so the worker's own copy of
it (hundreds of lines per failed bundle) would only bury that line. For the same reason the harness's Python-level
stderr (it also prints each failed bundle's traceback there) goes to /dev/null unless YKCURATE_WORKER_STDERR=1;
crashes below Python still reach the terminal.
"""
import logging
import os
import sys

from jobs import _not_apitools_noise

if __name__ == "__main__":
    handler = logging.StreamHandler()
    handler.setLevel(logging.CRITICAL)
    handler.addFilter(_not_apitools_noise)
    logging.getLogger().addHandler(handler)
    if os.environ.get("YKCURATE_WORKER_STDERR") != "1":
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - for the life of the process
    from apache_beam.runners.worker import sdk_worker_main

    sdk_worker_main.main(sys.argv)
