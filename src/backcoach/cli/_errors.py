"""Turning library errors into command-line failures, at the edge only."""

from __future__ import annotations

from contextlib import contextmanager
from collections.abc import Iterator

import typer
from rich.console import Console

stderr = Console(stderr=True)


class UserError(Exception):
    """A problem with the user's input: printed as one clear line, exit code 2."""


@contextmanager
def user_errors(*kinds: type[BaseException]) -> Iterator[None]:
    """Print the given library errors (and :class:`UserError`) plainly and exit with code 2."""
    try:
        yield
    except (UserError, *kinds) as error:
        stderr.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(code=2) from error
