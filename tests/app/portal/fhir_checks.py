"""Checks shared by the FHIR export tests (patient record and research exports)."""

from __future__ import annotations

import json

from fhir.resources.R4B.bundle import Bundle


def references(value: object) -> list[str]:
    """Every ``reference`` string anywhere in a resource's JSON."""
    if isinstance(value, dict):
        return [v for k, v in value.items() if k == "reference"] + [r for v in value.values() for r in references(v)]
    if isinstance(value, list):
        return [r for v in value for r in references(v)]
    return []


def assert_self_contained(bundle: Bundle) -> None:
    """Each resource's references point at an entry of the bundle itself."""
    present = {f"{e.resource.get_resource_type()}/{e.resource.id}" for e in bundle.entry}
    for entry in bundle.entry:
        missing = set(references(json.loads(entry.resource.model_dump_json()))) - present
        assert not missing, f"{entry.resource.get_resource_type()}/{entry.resource.id} refers to {missing}"
