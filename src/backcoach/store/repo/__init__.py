"""Repositories: small query functions over a ``Session``, one module per area.

They read and write rows; they decide nothing clinical. Routes call them instead of building
queries themselves.
"""
