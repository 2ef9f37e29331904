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
        # an in-process bundle failure is logged with its traceback before it propagates: one line and _logs/ do
        for noisy in ("apache_beam.runners.worker.sdk_worker", "apache_beam.runners.common"):
            logging.getLogger(noisy).setLevel(logging.CRITICAL)
        direct = options.view_as(DirectOptions)
        if not any(a.startswith("--direct_num_workers") for a in beam_args):
            direct.direct_num_workers = os.cpu_count() or 1
        options.view_as(StandardOptions).runner = None
        if direct.direct_num_workers > 1 and not any(a.startswith("--direct_running_mode") for a in beam_args):
            # Same as --direct_running_mode=multi_processing, but with our quiet worker entry point.
            logging.getLogger("apache_beam.runners.portability.fn_api_runner.fn_runner").setLevel(logging.ERROR)
            # worker logs relayed, errors included: a failure's traceback goes to <output>/_logs, one line here
            logging.getLogger("apache_beam.runners.portability.local_job_service").setLevel(logging.CRITICAL)
            workers = SubprocessSDKEnvironment.from_command_string(f"{sys.executable} -m pipeline.worker")
            return beam.Pipeline(runner=FnApiRunner(default_environment=workers), options=options)
        return beam.Pipeline(runner=FnApiRunner(), options=options)
    if runner_name in ("DaskRunner", "pipeline.dask_runner.DaskRunner"):
        from pipeline.dask_runner import DaskRunner  # Beam's, with the fixes that let real pipelines run

        return beam.Pipeline(runner=DaskRunner(), options=options)
    return beam.Pipeline(options=options)


LOCAL_RUNNERS = (None, "FnApiRunner", "DirectRunner", "BundleBasedDirectRunner")
IN_PROCESS_BYTES = 2 << 20  # below this much input, worker processes cost more start-up than they save


def for_input_size(beam_args: list[str], input_bytes: int) -> list[str]:
    """The runner options for a text-phase run: a small input with no runner options runs in-process (one worker,
    no worker processes to start: a 1,000-record text run takes about half the time); anything else as given."""
    if not beam_args and input_bytes <= IN_PROCESS_BYTES:
        return ["--direct_num_workers=1"]
    return beam_args


def is_local_runner(beam_args: list[str]) -> bool:
    """True for runners whose workers all share this machine's disk and working directory."""
    return PipelineOptions(beam_args).view_as(StandardOptions).runner in LOCAL_RUNNERS


def worker_slots(beam_args: list[str]) -> int:
    """How many bundles the runner processes at once, from its options: local workers, Dataflow workers, Flink
    parallelism or dask partitions; 16 when the options do not say (a small cluster)."""
    options = PipelineOptions(beam_args).get_all_options(drop_default=False)
    if is_local_runner(beam_args):  # make_pipeline's default: one worker per core unless the options say
        given = any(arg.startswith("--direct_num_workers") for arg in beam_args)
        return (int(options.get("direct_num_workers") or 0) if given else 0) or os.cpu_count() or 1
    for name in ("max_num_workers", "num_workers", "parallelism", "npartitions"):
        value = options.get(name)
        if isinstance(value, int) and value > 0:
            return value
    return 16


def spill_enabled(setting: str, beam_args: list[str], output: str, input_bytes: int | None = None) -> bool:
    """``shuffle.spill``: ``auto`` spills on the local runner only (it keeps shuffled bytes in memory), and not for
    an input of at most ``IN_PROCESS_BYTES`` (its shuffles fit in memory many times over, and creating a thousand
    small spill files cost a 1,000-record run a second); on a remote runner spill files must live where every
    worker can read them, so ``true`` there needs an object-store output. Raises ValueError for a setting that
    cannot work."""
    local = is_local_runner(beam_args)
    if setting == "auto":
        return local and (input_bytes is None or input_bytes > IN_PROCESS_BYTES)
    if setting == "false":
        return False
    if not local and "://" not in output:
        raise ValueError(f"shuffle.spill=true on a remote runner needs an --output every worker can see (an "
                         f"object-store URI such as gs://...), not the local path {output}")
    return True


def runner_label(pipeline: beam.Pipeline) -> str:
    return type(pipeline.runner).__name__


def shuffle_stats(result) -> dict | None:
    """Pieces and bytes that crossed each shuffle, by payload name, from the runner's metrics; None on runners
    without metrics (Dask). Each ``Exchange.put`` is one piece: one shuffle element or spill file."""
    from apache_beam.metrics.metric import MetricsFilter

    from transforms.batching import SHUFFLE_NAMESPACE

    try:
        counters = result.metrics().query(MetricsFilter().with_namespace(SHUFFLE_NAMESPACE))["counters"]
    except (NotImplementedError, AttributeError, KeyError):
        return None
    stats: dict[str, dict[str, int]] = {}
    for counter in counters:
        payload, kind = counter.key.metric.name.rsplit(".", 1)
        value = counter.committed if counter.committed is not None else counter.attempted
        stats.setdefault(payload, {"pieces": 0, "bytes": 0})[kind] += int(value or 0)
    total = {"pieces": sum(s["pieces"] for s in stats.values()), "bytes": sum(s["bytes"] for s in stats.values())}
    return {"total": total, "by_payload": dict(sorted(stats.items()))}
