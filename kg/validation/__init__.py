"""Validate the emitted quads: SHACL shapes and integrity checks.

The report names the curation file and the claim of every violation.
"""
