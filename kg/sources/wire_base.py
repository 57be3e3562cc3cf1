"""The one base of every wire model, question records and acteurs/organes alike, with its one rule for missing values."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from kg.sources.values import is_nil


def is_missing(value: Any) -> bool:
    """The one nil rule of the sources: ``None``, a blank string and a nil object (``{"@xsi:nil": "true"}``)
    are a missing value, whatever the field."""
    kind = type(value)
    if kind is str:
        return not value or value.isspace()
    return value is None or (kind is dict and "@xsi:nil" in value and is_nil(value))


class WireModel(BaseModel):
    """Base of the wire models: French aliases, unknown keys kept (and reported), nothing coerced silently,
    missing values (:func:`is_missing`) read as ``None`` before any field sees them."""

    model_config = ConfigDict(extra="allow", frozen=True, hide_input_in_errors=True, defer_build=True)

    @model_validator(mode="before")
    @classmethod
    def _missing_to_none(cls, data: Any) -> Any:
        if type(data) is not dict:
            return data
        for value in data.values():  # hot path: a plain loop, no generator; copies only when needed
            kind = type(value)
            if (kind is str and (not value or value.isspace())) or (kind is dict and "@xsi:nil" in value):
                return {k: (None if is_missing(v) else v) for k, v in data.items()}
        return data
