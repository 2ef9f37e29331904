"""Command-line entry points. Each module exposes ``run(argv)`` returning a result, so tests can drive it."""
import logging
import os
import re


def _not_apitools_noise(record: logging.LogRecord) -> bool:
    # Beam warns at import time that optional GCP client libraries are absent; it is irrelevant off Google Cloud.
    return "apitools not found" not in record.getMessage()


logging.getLogger().addFilter(_not_apitools_noise)


def _load_plugins() -> None:
    """Modules named in ``YKCURATE_PLUGINS`` (comma-separated) are imported by every command and worker: the way
    to register an extra Beam FileSystem (a Beam FileSystem subclass registers itself when imported)."""
    import importlib

    for name in filter(None, (n.strip() for n in os.environ.get("YKCURATE_PLUGINS", "").split(","))):
        importlib.import_module(name)


_load_plugins()


def _save_traceback(prog: str) -> str:
    """The current exception's traceback in a log file (under $TMPDIR/ykcurate-logs); its path."""
    import tempfile
    import time
    import traceback

    folder = os.path.join(tempfile.gettempdir(), "ykcurate-logs")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{prog.replace(' ', '-')}-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.log")
    with open(path, "w", encoding="utf-8", errors="replace") as handle:
        handle.write(traceback.format_exc())
    return path


def main_for(run, prog: str, errors: tuple = (ValueError, OSError), failures: tuple = ()):
    """A command's ``main(argv) -> exit status``: 0 when ``run`` completes; 2 with a one-line message on a misused
    command line (OptionError) or ``errors`` (bad option, config or input); 1 with a one-line message on
    ``failures`` (the run itself failed) and on anything unexpected, whose traceback is saved to a file named in
    that line."""
    import sys

    from pipeline.cli_options import OptionError

    def main(argv: list[str] | None = None) -> int:
        try:
            run(argv)
        except (OptionError, *errors) as exc:
            print(f"{prog}: error: {one_line(exc)}", file=sys.stderr)
            return 2
        except failures as exc:
            print(f"{prog}: error: {one_line(exc)}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print(f"{prog}: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:  # the reader of our output went away (`| head`): nothing to report
            sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - later flushes must not fail
            return 0
        except Exception as exc:  # noqa: BLE001 - never a traceback on the terminal: one line and a log file
            try:
                where = f" (full traceback: {_save_traceback(prog)})"
            except OSError:
                where = ""  # the disk that failed may be the one the log would go to
            print(f"{prog}: error: {type(exc).__name__}: {one_line(exc)}{where}", file=sys.stderr)
            return 1
        return 0

    return main


def one_line(exc: BaseException) -> str:
    """An exception's message on one line, at most 500 characters, with no terminal control characters."""
    text = visible(" ".join(str(exc).split()) or type(exc).__name__)
    return text if len(text) <= 500 else text[:497] + "..."


_HIDDEN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]")


def visible(value):
    """Text with every control character, bidi control, zero-width character and lone surrogate escaped (``\\x1b``,
    ``\\u202e``): text from records must not recolour a terminal or reorder what a reviewer reads. Other values
    are returned as they are."""
    if not isinstance(value, str):
        return value
    return _HIDDEN.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                       else f"\\u{ord(m.group()):04x}", value)
