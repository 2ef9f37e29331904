"""Runner options. Local default: the FnApiRunner with one worker process per core.

DirectRunner would try Prism first, which downloads a binary (and fails offline), so the FnApiRunner is named
explicitly. Any other ``--runner`` (PortableRunner, DataflowRunner, FlinkRunner, ...) and its options pass through
to Beam unchanged.
"""
from __future__ import annotations

import logging
import os
import sys

import apache_beam as beam
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner
from apache_beam.transforms.environments import SubprocessSDKEnvironment


def make_pipeline(beam_args: list[str]) -> beam.Pipeline:
    """A Pipeline for the given Beam arguments, defaulting to a multi-process FnApiRunner."""
    options = PipelineOptions(beam_args)
    runner_name = options.view_as(StandardOptions).runner
    if runner_name in (None, "FnApiRunner"):
        direct = options.view_as(DirectOptions)
        if not any(a.startswith("--direct_num_workers") for a in beam_args):
            direct.direct_num_workers = os.cpu_count() or 1
        options.view_as(StandardOptions).runner = None
        if direct.direct_num_workers > 1 and not any(a.startswith("--direct_running_mode") for a in beam_args):
            # Same as --direct_running_mode=multi_processing, but with our quiet worker entry point.
            for noisy in ("apache_beam.runners.portability.fn_api_runner.fn_runner",  # "use multi_processing"
                          "apache_beam.runners.portability.local_job_service"):  # worker warnings relayed
                logging.getLogger(noisy).setLevel(logging.ERROR)
            workers = SubprocessSDKEnvironment.from_command_string(f"{sys.executable} -m pipeline.worker")
            return beam.Pipeline(runner=FnApiRunner(default_environment=workers), options=options)
        return beam.Pipeline(runner=FnApiRunner(), options=options)
    if runner_name in ("DaskRunner", "pipeline.dask_runner.DaskRunner"):
        from pipeline.dask_runner import DaskRunner  # Beam's, with the fixes that let real pipelines run

        return beam.Pipeline(runner=DaskRunner(), options=options)
    return beam.Pipeline(options=options)


LOCAL_RUNNERS = (None, "FnApiRunner", "DirectRunner", "BundleBasedDirectRunner")


def is_local_runner(beam_args: list[str]) -> bool:
    """True for runners whose workers all share this machine's disk and working directory."""
    return PipelineOptions(beam_args).view_as(StandardOptions).runner in LOCAL_RUNNERS


def spill_enabled(setting: str, beam_args: list[str], output: str) -> bool:
    """``shuffle.spill``: ``auto`` spills on the local runner only (it keeps shuffled bytes in memory); on a
    remote runner spill files must live where every worker can read them, so ``true`` there needs an object-store
    output. Raises ValueError for a setting that cannot work."""
    local = is_local_runner(beam_args)
    if setting == "auto":
        return local
    if setting == "false":
        return False
    if not local and "://" not in output:
        raise ValueError(f"shuffle.spill=true on a remote runner needs an --output every worker can see (an "
                         f"object-store URI such as gs://...), not the local path {output}")
    return True


def runner_label(pipeline: beam.Pipeline) -> str:
    return type(pipeline.runner).__name__
