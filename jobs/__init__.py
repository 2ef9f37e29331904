"""Command-line entry points. Each module exposes ``run(argv)`` returning a result, so tests can drive it."""
