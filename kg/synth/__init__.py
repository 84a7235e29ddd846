"""Tooling, not product: a synthetic corpus in the curation format.

Used by the tests and the benchmarks; ``cartkg synth`` writes one.
"""
