"""Dated, cited parameters: thresholds and rates that rules name instead of writing literals.

A parameter has values keyed by the date they took effect; evaluation asks for the value in force on
the profile's ``as_of``. Program files may declare parameters of their own, namespaced by program id.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PARAMETER_DIR = Path(__file__).parent / "parameters"


@dataclass(frozen=True)
class Reference:
    title: str
    url: str | None = None
    document: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass(frozen=True)
class ParameterValue:
    name: str
    value: float
    valid_from: dt.date
    unit: str
    label: str
    reference: Reference

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "valid_from": self.valid_from.isoformat(),
            "unit": self.unit,
            "label": self.label,
            "reference": self.reference.as_dict(),
        }


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    unit: str
    reference: Reference
    dates: tuple[dt.date, ...]
    values: tuple[float, ...]

    def at(self, as_of: dt.date) -> ParameterValue | None:
        """The value in force on ``as_of``, or None before the first value took effect."""
        i = bisect.bisect_right(self.dates, as_of) - 1
        if i < 0:
            return None
        return ParameterValue(self.name, self.values[i], self.dates[i], self.unit, self.label, self.reference)


class ParameterError(ValueError):
    pass


@dataclass
class ParameterSet:
    parameters: dict[str, Parameter] = field(default_factory=dict)

    def __contains__(self, name: str) -> bool:
        return name in self.parameters

    def get(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise ParameterError(f"unknown parameter {name!r}") from None

    def at(self, name: str, as_of: dt.date) -> ParameterValue | None:
        return self.get(name).at(as_of)

    def merged(self, other: dict[str, Parameter]) -> ParameterSet:
        return ParameterSet({**self.parameters, **other})

    def change_dates(self) -> list[dt.date]:
        """Every date on which some parameter changes: evaluation results are constant between them."""
        return sorted({d for p in self.parameters.values() for d in p.dates})


def parse_parameter(name: str, spec: dict[str, Any], default_reference: Reference | None = None) -> Parameter:
    """Build a Parameter from its YAML mapping; raise ParameterError naming what is wrong."""
    if not isinstance(spec, dict):
        raise ParameterError(f"parameter {name}: expected a mapping")
    raw_values = spec.get("values")
    if not isinstance(raw_values, dict) or not raw_values:
        raise ParameterError(f"parameter {name}: 'values' must map dates to numbers")
    pairs = sorted((_as_date(name, k), _as_number(name, v)) for k, v in raw_values.items())
    ref = spec.get("reference")
    if ref is None and default_reference is None:
        raise ParameterError(f"parameter {name}: 'reference' is required")
    reference = Reference(**ref) if isinstance(ref, dict) else default_reference
    assert reference is not None
    return Parameter(
        name=name,
        label=str(spec.get("label", name)),
        unit=str(spec.get("unit", "")),
        reference=reference,
        dates=tuple(d for d, _ in pairs),
        values=tuple(v for _, v in pairs),
    )


def _as_date(name: str, value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError(f"parameter {name}: {value!r} is not a date (YYYY-MM-DD)") from None


def _as_number(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ParameterError(f"parameter {name}: {value!r} is not a number")
    return float(value)


def load_parameters(directory: Path = PARAMETER_DIR) -> ParameterSet:
    """Load every ``*.yaml`` parameter file of the rules package."""
    parameters: dict[str, Parameter] = {}
    for path in sorted(directory.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for name, spec in doc.items():
            if name.startswith("_"):
                continue
            parameters[name] = parse_parameter(name, spec)
    return ParameterSet(parameters)


_DEFAULT: ParameterSet | None = None


def default_parameters() -> ParameterSet:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_parameters()
    return _DEFAULT
