"""The ``backcoach`` command line: one module per command group, joined in :mod:`.main`."""
