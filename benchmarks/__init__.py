"""Benchmarks, each run as a module: ``python -m benchmarks.bench_middleware``."""
