"""The COCO suite (``bbob``, ``bbob-mixint``) for the search's samplers and their peers.

Held out: the even-numbered functions (both suites); defaults may be chosen on
the odd-numbered ones only. See ``README.md`` beside this file; run
``python -m benchmarks.coco --help``.
"""
