"""Colours, symbols and sizes of the page (presentation only; no clinical value lives here)."""
from __future__ import annotations

GRADE = {0: "#e5e7eb", 1: "#fde68a", 2: "#fb923c", 3: "#dc2626", 4: "#7f1d1d", 5: "#111827"}
LAB = {"ferritin": "#7c3aed", "CRP": "#0e7490", "IL-6": "#dc2626", "IL-10": "#ea580c", "IFN-γ": "#15803d",
       "TNF-α": "#6b7280"}
TEMPERATURE = "#b45309"
SUPPORT = {"oxygen": "#60a5fa", "room_air": "#e0f2fe", "vasopressor": "#e11d48", "icu": "#c4b5fd",
           "hospital": "#e9d5ff", "crrt": "#14b8a6", "hemoadsorption": "#22c55e", "plasma_exchange": "#a3e635"}
MARK = {"change": ("triangle-down", "#b91c1c", "cartridge or circuit change"),
        "bolus": ("triangle-up", "#1d4ed8", "fluid bolus"),
        "medication": ("diamond", "#065f46", "medication given")}
KIND = {"grade": "#b91c1c", "flag": "#7c3aed", "recommendation": "#1d4ed8", "episode": "#111827",
        "warning": "#d97706", "rejected": "#6b7280", "correction": "#0f766e", "outstanding": "#be185d"}
EPISODE = "#111827"
UNITS = {"Cel": "°C"}
LANE_PX = 34
LABS_PX = 250
TEMPERATURE_PX = 120
GAP_PX = 58
FONT = "Liberation Sans, Arial, Helvetica, sans-serif"


def light_text(colour: str) -> bool:
    """White text reads better on these fills."""
    return colour in (GRADE[3], GRADE[4], GRADE[5], SUPPORT["vasopressor"])
