"""Units: every value converted once, on input, to the canonical unit of its name (UCUM codes).

Conversion factors are arithmetic, not clinical choices. A converted value is rounded to 10
significant digits, so that a Fahrenheit value converts to exactly the Celsius value it stands for.
"""
from __future__ import annotations

from typing import Callable

Convert = Callable[[float], float]


def _times(k: float) -> Convert:
    return lambda x: x * k


_ID: Convert = lambda x: x  # noqa: E731
_F_TO_C: Convert = lambda x: (x - 32.0) * 5.0 / 9.0  # noqa: E731
_PERCENT = {"%": _ID}
_COUNT = {u: _ID for u in ("10*9/L", "10^9/L", "x10^9/L", "×10^9/L", "10*3/uL", "10^3/uL", "x10^3/uL", "K/uL", "G/L")}
_COUNT.update({u: _times(1e-3) for u in ("/uL", "/µL", "/mm3", "cells/uL")})
_PG = {"pg/mL": _ID, "pg/ml": _ID, "ng/L": _ID, "ng/mL": _times(1000.0), "ng/ml": _times(1000.0)}
_MMHG = {"mm[Hg]": _ID, "mmHg": _ID, "kPa": _times(7.50)}
_ENZYME = {"U/L": _ID, "IU/L": _ID, "ukat/L": _times(60.0), "µkat/L": _times(60.0)}

# name -> (canonical UCUM code, {accepted unit: conversion to canonical})
VITAL_UNITS: dict[str, tuple[str, dict[str, Convert]]] = {
    "temperature": ("Cel", {"Cel": _ID, "C": _ID, "°C": _ID, "degC": _ID, "[degF]": _F_TO_C, "F": _F_TO_C,
                            "°F": _F_TO_C, "degF": _F_TO_C}),
    "systolic_bp": ("mm[Hg]", _MMHG), "diastolic_bp": ("mm[Hg]", _MMHG), "mean_arterial_pressure": ("mm[Hg]", _MMHG),
    "heart_rate": ("/min", {"/min": _ID, "{beats}/min": _ID, "bpm": _ID}),
    "respiratory_rate": ("/min", {"/min": _ID, "{breaths}/min": _ID}),
    "spo2": ("%", _PERCENT),
    "urine_output": ("mL/kg/h", {"mL/kg/h": _ID, "ml/kg/h": _ID}),
}
LAB_UNITS: dict[str, tuple[str, dict[str, Convert]]] = {
    "ferritin": ("ng/mL", {"ng/mL": _ID, "ng/ml": _ID, "ug/L": _ID, "µg/L": _ID, "mcg/L": _ID}),
    "crp": ("mg/L", {"mg/L": _ID, "mg/l": _ID, "mg/dL": _times(10.0), "mg/dl": _times(10.0)}),
    "il6": ("pg/mL", _PG), "il10": ("pg/mL", _PG), "ifn_gamma": ("pg/mL", _PG), "tnf_alpha": ("pg/mL", _PG),
    "fibrinogen": ("g/L", {"g/L": _ID, "mg/dL": _times(0.01), "mg/dl": _times(0.01)}),
    "triglycerides": ("mmol/L", {"mmol/L": _ID, "mg/dL": lambda x: x / 88.5, "mg/dl": lambda x: x / 88.5}),
    "platelets": ("10*9/L", _COUNT), "anc": ("10*9/L", _COUNT), "wbc": ("10*9/L", _COUNT),
    "hemoglobin": ("g/L", {"g/L": _ID, "g/dL": _times(10.0), "g/dl": _times(10.0)}),
    "ast": ("U/L", _ENZYME), "alt": ("U/L", _ENZYME), "ldh": ("U/L", _ENZYME),
    "bilirubin": ("mg/dL", {"mg/dL": _ID, "mg/dl": _ID, "umol/L": lambda x: x / 17.1, "µmol/L": lambda x: x / 17.1}),
    "creatinine": ("mg/dL", {"mg/dL": _ID, "mg/dl": _ID, "umol/L": lambda x: x / 88.4, "µmol/L": lambda x: x / 88.4}),
    "procalcitonin": ("ng/mL", {"ng/mL": _ID, "ng/ml": _ID, "ug/L": _ID}),
    "d_dimer": ("mg/L", {"mg/L": _ID, "ug/mL": _ID, "ng/mL": _times(1e-3)}),
    "scd25": ("U/mL", {"U/mL": _ID}),
    "pao2": ("mm[Hg]", _MMHG),
    "fio2": ("1", {"1": _ID, "%": _times(0.01)}),
}
FLOW_UNITS = ("L/min", {"L/min": _ID, "l/min": _ID, "Lpm": _ID})
PRESSOR_UNITS = ("ug/kg/min", {"ug/kg/min": _ID, "mcg/kg/min": _ID, "µg/kg/min": _ID, "ng/kg/min": _times(1e-3)})
PRESSOR_PER_WEIGHT = {"ug/min": 1.0, "mcg/min": 1.0, "µg/min": 1.0, "mg/h": 1000.0 / 60.0}
VASOPRESSIN_UNITS = ("U/min", {"U/min": _ID, "[U]/min": _ID, "units/min": _ID, "U/h": _times(1 / 60.0), "[U]/h": _times(1 / 60.0)})
DOSE_ALIASES = {"mg/kg": "mg/kg", "mg": "mg", "g": "g", "ug/kg": "ug/kg", "mcg/kg": "ug/kg", "mL/kg": "mL/kg", "mL": "mL",
                "ml": "mL", "ml/kg": "mL/kg", "mg/m2": "mg/m2", "U/kg": "U/kg"}


def tidy(value: float) -> float:
    """Round away conversion noise (10 significant digits)."""
    return float(f"{value:.10g}")


def accepted(table: tuple[str, dict[str, Convert]]) -> str:
    return ", ".join(table[1])
