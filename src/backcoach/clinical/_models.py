"""Shared bits of the clinical input models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Side = Literal["left", "right"]


class Strict(BaseModel):
    """Unknown fields are errors, so a typo in an input file is reported, not ignored."""

    model_config = ConfigDict(extra="forbid")
