"""The CDS Services this server offers (the discovery answer) and the prefetch each needs."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PATIENT = "{{context.patientId}}"

# key -> FHIR query (CDS Hooks 2.0, "Prefetch Template"): a read of the Patient and type-level searches by patient.
PREFETCH = {
    "patient": f"Patient/{PATIENT}",
    "observations": f"Observation?patient={PATIENT}",
    "procedures": f"Procedure?patient={PATIENT}",
    "administrations": f"MedicationAdministration?patient={PATIENT}&_include=MedicationAdministration:medication",
    "conditions": f"Condition?patient={PATIENT}",
    "encounters": f"Encounter?patient={PATIENT}",
}
# Without these the replay would grade a patient on nothing: a request that lacks one is refused (412, as the
# specification asks of a service that cannot fetch the data itself). Conditions and encounters may be left out.
REQUIRED = ("patient", "observations", "procedures", "administrations")


@dataclass(frozen=True)
class Service:
    id: str
    hook: str
    title: str
    description: str

    def discovery(self) -> dict[str, Any]:
        return {"hook": self.hook, "title": self.title, "description": self.description, "id": self.id,
                "prefetch": dict(PREFETCH)}


PATIENT_VIEW = Service(
    "crsrules-toxicity", "patient-view", "CAR-T toxicity grades and due treatment steps",
    "Replays the patient's record since the CAR-T infusion through crsrules rulesets: one card per scale at grade 1 "
    "or more (CRS, ICANS, ...) and per met flag, with the treatment steps now due and their doses. Decision support "
    "only: every card is for a clinician to confirm.")
ORDER_SELECT = Service(
    "crsrules-order-check", "order-select", "CAR-T toxicity order check",
    "Checks a draft tocilizumab, corticosteroid or anakinra MedicationRequest against the dose limits, the running "
    "treatment course and the steps the rulesets recommend now. Decision support only.")
SERVICES = {s.id: s for s in (PATIENT_VIEW, ORDER_SELECT)}


def discovery() -> dict[str, Any]:
    """The answer to ``GET /cds-services``."""
    return {"services": [s.discovery() for s in SERVICES.values()]}
