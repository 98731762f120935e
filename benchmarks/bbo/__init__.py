"""A black-box optimisation suite for the searches: synthetic, mixed and real problems.

Run ``python -m benchmarks.bbo --help`` from the repository root.
"""
