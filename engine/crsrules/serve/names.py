"""How a card names a scale in words ("CRS grade 2 (ASTCT 2019)"), a grade's urgency, and Markdown escaping."""
from __future__ import annotations

import re
from typing import Any

# scale id -> (what it grades, the guideline in a few words); a scale not listed is named by its id and ruleset title
SCALES = {
    "astct-2019-crs": ("CRS", "ASTCT 2019"),
    "astct-2019-icans": ("ICANS", "ASTCT 2019"),
    "cartox-2018-crs": ("CRS", "CARTOX 2018"),
    "cartox-peds-2019-crs": ("CRS", "paediatric CARTOX 2019"),
    "lee-2014-crs": ("CRS", "Lee 2014"),
    "mskcc-2018-crs": ("CRS", "MSKCC 2018"),
    "penn-2018-crs": ("CRS", "Penn 2018"),
    "iec-hs-2023": ("IEC-HS", "ASTCT 2023"),
    "ctcae-creatinine": ("Creatinine increased", "CTCAE v5.0"),
    "ctcae-transaminase": ("Transaminases increased", "CTCAE v5.0"),
    "ctcae-bilirubin": ("Blood bilirubin increased", "CTCAE v5.0"),
    "ctcae-clinician": ("Organ toxicity", "CTCAE v5.0, clinician-graded"),
}
SUMMARY_MAX = 139  # CDS Hooks: a summary of fewer than 140 characters


def scale_words(scale: str, ruleset_title: str | None = None) -> tuple[str, str]:
    """(what the scale grades, its guideline in words)."""
    return SCALES.get(scale, (scale, ruleset_title or scale))


def grade_summary(scale: str, grade: int, since: str | None, ruleset_title: str | None = None) -> str:
    """``CRS grade 2 (ASTCT 2019) since D+8 08:00``, cut to fit a card."""
    what, guideline = scale_words(scale, ruleset_title)
    return fit(f"{what} grade {grade} ({guideline})" + (f" since {since}" if since else ""))


def indicator(grade: int) -> str:
    """A card's urgency by grade: 1 info, 2 warning, 3 or more critical."""
    return "info" if grade <= 1 else "warning" if grade == 2 else "critical"


def fit(text: str, limit: int = SUMMARY_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


_MD = re.compile(r"([\\`*_{}\[\]<>|~])")


def md(value: Any) -> str:
    """Text from the record (ids, free text) as literal Markdown: special characters escaped, one line."""
    return _MD.sub(r"\\\1", " ".join(str(value).split()))
