"""Clinical core: instruments, red-flag screening, classification, camera tests, prescription.

A pure library (no web, no database). Every threshold lives in ``data/thresholds.toml`` with its
source tag from the clinical brief; the software screens and refers, it never diagnoses.
"""
