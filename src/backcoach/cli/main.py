"""Entry point of the ``backcoach`` command.

Each command group lives in its own module beside this one and exposes ``register(app)``; this
module only finds and joins them, so adding a command never means editing a shared list.
"""

from __future__ import annotations

import importlib
import pkgutil

import typer

import backcoach.cli as cli_package

app = typer.Typer(
    name="backcoach",
    help="AI-guided home exercise therapy for chronic low back pain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for module_info in sorted(pkgutil.iter_modules(cli_package.__path__), key=lambda m: m.name):
    if module_info.name.startswith("_") or module_info.name == "main":
        continue
    importlib.import_module(f"{cli_package.__name__}.{module_info.name}").register(app)
