"""Runner options. Local default: the FnApiRunner with one worker process per core.

DirectRunner would try Prism first, which downloads a binary (and fails offline), so the FnApiRunner is named
explicitly. Any other ``--runner`` (PortableRunner, DataflowRunner, FlinkRunner, ...) and its options pass through
to Beam unchanged.
"""
from __future__ import annotations

import os

import apache_beam as beam
from apache_beam.options.pipeline_options import DirectOptions, PipelineOptions, StandardOptions
from apache_beam.runners.portability.fn_api_runner import FnApiRunner


def make_pipeline(beam_args: list[str]) -> beam.Pipeline:
    """A Pipeline for the given Beam arguments, defaulting to a multi-process FnApiRunner."""
    if not any(a.startswith("--default_sdk_harness_log_level") for a in beam_args):
        beam_args = [*beam_args, "--default_sdk_harness_log_level=ERROR"]  # workers log each bundle at INFO
    options = PipelineOptions(beam_args)
    runner_name = options.view_as(StandardOptions).runner
    if runner_name in (None, "FnApiRunner"):
        direct = options.view_as(DirectOptions)
        if not any(a.startswith("--direct_num_workers") for a in beam_args):
            direct.direct_num_workers = os.cpu_count() or 1
        if not any(a.startswith("--direct_running_mode") for a in beam_args):
            direct.direct_running_mode = "multi_processing" if direct.direct_num_workers > 1 else "in_memory"
        options.view_as(StandardOptions).runner = None
        return beam.Pipeline(runner=FnApiRunner(), options=options)
    return beam.Pipeline(options=options)


def runner_label(pipeline: beam.Pipeline) -> str:
    return type(pipeline.runner).__name__
