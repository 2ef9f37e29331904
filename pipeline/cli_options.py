"""Command-line parsing for the commands that run Beam pipelines: our options, plus Beam's own, and nothing else.

Why: Beam accepts unknown options with a warning, so ``curate --phse text`` used to run the whole media phase on a
metadata-only corpus and exit 0. Here an option is accepted only if it is ours or a real Beam ``PipelineOptions``
flag (any runner's: Dataflow, Flink, Portable, Dask...); anything else is refused with a "did you mean", before a
single record is read.
"""
from __future__ import annotations

import argparse
import difflib
from typing import Callable, NoReturn

BEAM_NOTE = ("Any other --option is passed to Apache Beam (e.g. --runner=DataflowRunner --project=... "
             "--region=..., --runner=FlinkRunner --flink_master=..., --direct_num_workers=N); options Beam "
             "does not know are refused.")


class OptionError(ValueError):
    """A misused command line: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of printing usage and exiting, so the caller reports one line."""

    def error(self, message: str) -> NoReturn:
        raise OptionError(message)


def count(low: int) -> Callable[[str], int]:
    """An argparse type: an integer of at least ``low`` (a count of records, steps, workers...)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"expected at least {low}, got {value}")
        return value

    parse.__name__ = f"integer >= {low}"
    return parse


POSITIVE, NON_NEGATIVE = count(1), count(0)


def strict_parser(**kwargs) -> argparse.ArgumentParser:
    """The parser a command builds its own options on: no prefix abbreviations (``--over`` is not
    ``--overwrite``), errors raised as OptionError. ``--help`` still prints and exits 0."""
    kwargs.setdefault("epilog", BEAM_NOTE)
    return _Parser(allow_abbrev=False, **kwargs)


def _beam_parser(argv: list[str]) -> argparse.ArgumentParser:
    from apache_beam.options.pipeline_options import PipelineOptions

    if any("dask" in arg.lower() for arg in argv):
        try:
            import apache_beam.runners.dask.dask_runner  # noqa: F401 - registers DaskOptions
        except ImportError as exc:
            raise OptionError(f"the Dask runner needs dask.distributed installed ({exc})") from None
    parser = _Parser(allow_abbrev=False, add_help=False)
    seen: dict[str, type] = {}
    for cls in PipelineOptions.__subclasses__():
        seen.setdefault(str(cls), cls)
    for cls in seen.values():
        cls._add_argparse_args(parser)  # pylint: disable=protected-access
    return parser


def _option_names(parser: argparse.ArgumentParser) -> list[str]:
    return [name for action in parser._actions for name in action.option_strings if name.startswith("--")]


def split_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> tuple[argparse.Namespace, list[str]]:
    """(our options, Beam's options). Raises OptionError naming the first option neither knows."""
    args, rest = parser.parse_known_args(argv)
    if not rest:
        return args, []
    beam = _beam_parser(rest)
    try:
        _, unknown = beam.parse_known_args(rest)
    except OptionError as exc:
        raise OptionError(f"Beam option: {exc}") from None
    if unknown:
        word = unknown[0]
        if not word.startswith("-"):
            raise OptionError(f"unexpected argument {word!r}")
        name = word.split("=", 1)[0]
        close = difflib.get_close_matches(name, _option_names(parser) + _option_names(beam), n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]}?)" if close else ""
        raise OptionError(f"unknown option {name}{hint}")
    return args, rest
