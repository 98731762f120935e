"""Benchmarks of sklearn_hp against its peers: ``python -m benchmarks`` lists the suites."""
