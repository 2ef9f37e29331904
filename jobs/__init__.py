"""Command-line entry points. Each module exposes ``run(argv)`` returning a result, so tests can drive it."""
import logging


def _not_apitools_noise(record: logging.LogRecord) -> bool:
    # Beam warns at import time that optional GCP client libraries are absent; it is irrelevant off Google Cloud.
    return "apitools not found" not in record.getMessage()


logging.getLogger().addFilter(_not_apitools_noise)


def _load_plugins() -> None:
    """Modules named in ``YKCURATE_PLUGINS`` (comma-separated) are imported by every command and worker: the way
    to register an extra Beam FileSystem (a Beam FileSystem subclass registers itself when imported)."""
    import importlib
    import os

    for name in filter(None, (n.strip() for n in os.environ.get("YKCURATE_PLUGINS", "").split(","))):
        importlib.import_module(name)


_load_plugins()


def main_for(run, prog: str, errors: tuple = (ValueError, OSError), failures: tuple = ()):
    """A command's ``main(argv) -> exit status``: 0 when ``run`` completes, 2 with a one-line message on ``errors``
    (misuse: bad option, config or input), 1 with a one-line message on ``failures`` (the run itself failed)."""
    import sys

    def main(argv: list[str] | None = None) -> int:
        try:
            run(argv)
        except errors as exc:
            print(f"{prog}: error: {exc}", file=sys.stderr)
            return 2
        except failures as exc:
            print(f"{prog}: error: {exc}", file=sys.stderr)
            return 1
        return 0

    return main
