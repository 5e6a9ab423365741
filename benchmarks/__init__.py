"""Benchmarks: scripts that print figures (not tests).

Run each from the repository root as a module, for example
``python -m benchmarks.bench_translate --help``; the measuring tools they
share are in :mod:`benchmarks.measure`. Results are in ``BENCHMARKS.md``.
"""
