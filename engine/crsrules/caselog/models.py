"""The case-log events (case-log-format.md, version 1) as pydantic models, discriminated by ``type``.

Unknown fields are errors (a typo such as ``vlaue`` is never ignored); numbers must be JSON
numbers (``"146.095"`` is refused: guessing a locale could change a value 1000-fold).
"""
from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal, Union

from pydantic import (AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictInt, TypeAdapter, field_validator,
                      model_validator)

from .drugs import resolve as resolve_drug

Number = Union[StrictInt, StrictFloat]
VITALS = ("temperature", "systolic_bp", "diastolic_bp", "mean_arterial_pressure", "heart_rate", "respiratory_rate",
          "spo2", "urine_output")
LABS = ("ferritin", "crp", "il6", "il10", "ifn_gamma", "tnf_alpha", "fibrinogen", "triglycerides", "platelets", "anc",
        "wbc", "hemoglobin", "ast", "alt", "bilirubin", "ldh", "creatinine", "procalcitonin", "d_dimer", "scd25", "pao2",
        "fio2")
DEVICES = ("room_air", "blow_by", "nasal_cannula", "high_flow_nasal_cannula", "simple_mask", "venturi_mask",
           "non_rebreather", "cpap", "bipap", "invasive_ventilation", "ecmo")
AGENTS = ("norepinephrine", "epinephrine", "dopamine", "phenylephrine", "vasopressin", "angiotensin_ii")
KNOWN_DRUGS = ("tocilizumab", "siltuximab", "anakinra", "dexamethasone", "methylprednisolone", "hydrocortisone",
               "acetaminophen", "ibuprofen", "ruxolitinib", "etoposide", "emapalumab", "cryoprecipitate",
               "fresh_frozen_plasma", "fibrinogen_concentrate")
Action = Literal["start", "change", "stop"]


class _Event(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    time: AwareDatetime
    id: str | None = None
    attributed_to: str | None = None
    note: str | None = None
    ext: dict[str, Any] | None = None


class Quantity(BaseModel):
    """A value with its UCUM unit."""

    model_config = ConfigDict(extra="forbid", strict=True)
    value: Number
    unit: str


class Patient(_Event):
    """Demographics as of ``time``; every field optional, a later event updating the fields it gives."""

    type: Literal["patient"]
    age_years: Number | None = None
    birth_date: date | None = None
    weight_kg: Number | None = None
    height_cm: Number | None = None
    sex: str | None = None
    developmental_delay: StrictBool | None = None

    @field_validator("birth_date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        return date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else value

    @model_validator(mode="after")
    def _one_age(self) -> "Patient":
        if self.age_years is not None and self.birth_date is not None:
            raise ValueError("give age_years or birth_date, not both")
        return self


class Infusion(_Event):
    type: Literal["infusion"]
    product: str | None = None
    dose: Quantity | None = None


class Lymphodepletion(_Event):
    """The start of lymphodepleting chemotherapy (its first dose), before the infusion; ``regimen`` as charted."""

    type: Literal["lymphodepletion"]
    regimen: str | None = None


class Vital(_Event):
    type: Literal["vital"]
    name: Literal[VITALS]  # type: ignore[valid-type]
    value: Number
    unit: str


class Lab(_Event):
    type: Literal["lab"]
    name: Literal[LABS]  # type: ignore[valid-type]
    value: Number
    unit: str
    reference_high: Number | None = None
    reference_low: Number | None = None

    @property
    def times_uln(self) -> float | None:
        """The value as a multiple of the upper limit of normal the lab reported (CTCAE grades by it)."""
        if not self.reference_high:
            return None
        return round(self.value / self.reference_high, 6)

    @property
    def times_lln(self) -> float | None:
        """The value as a multiple of the lower limit of normal the lab reported (CTCAE grades cytopenias by it)."""
        if not self.reference_low:
            return None
        return round(self.value / self.reference_low, 6)


class Oxygen(_Event):
    type: Literal["oxygen"]
    device: Literal[DEVICES]  # type: ignore[valid-type]
    flow: Quantity | None = None
    fio2: Number | None = None

    @field_validator("fio2")
    @classmethod
    def _fraction(cls, value: float | None) -> float | None:
        if value is None:
            return None
        if 21 <= value <= 100:
            return round(value / 100.0, 6)
        if 0.21 <= value <= 1.0:
            return value
        raise ValueError(f"fio2 {value} is neither a fraction 0.21-1.0 nor a percent 21-100")


class Vasopressor(_Event):
    type: Literal["vasopressor"]
    agent: Literal[AGENTS]  # type: ignore[valid-type]
    action: Action
    dose: Quantity | None = None


class FluidBolus(_Event):
    type: Literal["fluid_bolus"]
    volume: Quantity | None = None


class Medication(_Event):
    """A single administration. ``drug`` is read through the drug table (drugs.py): a name it knows
    becomes the table's id, and the name as charted is kept in ``drug_as_charted``."""

    type: Literal["medication"]
    drug: str
    dose: Quantity | None = None
    route: str | None = None
    indication: Literal["crs", "icans", "replacement", "stress", "other"] | None = None
    drug_as_charted: str | None = None

    @model_validator(mode="after")
    def _named(self) -> "Medication":
        found = resolve_drug(self.drug)
        if found.id is not None and found.id != self.drug:
            if self.drug_as_charted is None:
                self.drug_as_charted = self.drug
            self.drug = found.id
            if self.dose is None and found.dose is not None:
                self.dose = Quantity(value=found.dose[0], unit=found.dose[1])
            if self.route is None and found.route is not None:
                self.route = found.route
        return self


class Procedure(_Event):
    type: Literal["procedure"]
    name: Literal["hemoadsorption", "crrt", "plasma_exchange", "hospital", "icu"]
    action: Action
    device: str | None = None


_CHOICES = {
    "consciousness": ("awake", "wakes_spontaneously", "wakes_to_voice", "wakes_to_touch", "unarousable"),
    "seizure": ("none", "rapidly_resolving", "prolonged"),
    "cerebral_edema": ("none", "focal", "diffuse"),
    "organomegaly": ("none", "hepatomegaly", "splenomegaly", "both"),
    "posturing": ("none", "decorticate", "decerebrate"),
    "nk_cell_activity": ("low_or_absent", "normal"),
}
_SCORES = {"ice_score": 10, "capd_score": 32}


class Assessment(_Event):
    type: Literal["assessment"]
    name: Literal["hypotension", "ice_score", "capd_score", "consciousness", "seizure", "motor_weakness",
                  "cerebral_edema", "tremor", "myoclonus", "intracranial_hemorrhage", "hemophagocytosis", "organomegaly",
                  "papilledema", "cranial_nerve_vi_palsy", "posturing", "cushings_triad", "fever", "nk_cell_activity",
                  "hlh_molecular_diagnosis"]
    value: Union[StrictBool, StrictInt, StrictFloat, str]
    sedated: StrictBool | None = None  # assessed under sedation (true), off sedation (false), or not said

    @model_validator(mode="after")
    def _value_fits_name(self) -> "Assessment":
        name, value = self.name, self.value
        if name in _CHOICES:
            if value not in _CHOICES[name] or not isinstance(value, str):
                raise ValueError(f"{name} is one of {', '.join(_CHOICES[name])}; got {value!r}")
        elif name in _SCORES:
            ok = value == "unable" or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _SCORES[name])
            if not ok:
                raise ValueError(f"{name} is a whole number 0-{_SCORES[name]} or \"unable\"; got {value!r}")
        elif not isinstance(value, bool):
            raise ValueError(f"{name} is true or false; got {value!r}")
        return self


class Toxicity(_Event):
    """A CTCAE term graded by a clinician; grade 0 means the term has resolved."""

    type: Literal["toxicity"]
    term: str
    grade: Annotated[StrictInt, Field(ge=0, le=5)]


class Death(_Event):
    type: Literal["death"]
    cause: Literal["crs", "icans", "iec_hs", "other"] | None = None


Event = Annotated[Union[Patient, Lymphodepletion, Infusion, Vital, Lab, Oxygen, Vasopressor, FluidBolus, Medication,
                        Procedure, Assessment, Toxicity, Death], Field(discriminator="type")]
EVENT_ADAPTER: TypeAdapter[Any] = TypeAdapter(Event)
EVENTS_ADAPTER: TypeAdapter[Any] = TypeAdapter(list[Event])
