"""Benchmarks: `make bench` runs every ``bench/bench_*.py`` module's ``main()`` and prints tables.

Targets are ratios against a baseline measured side by side in the same run, never timed asserts.
"""
