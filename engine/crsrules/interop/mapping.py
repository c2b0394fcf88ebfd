"""The FHIR-to-case-log mapping, read from ``rulesets/_inputs/fhir-mapping.yaml`` (data, with its sources)."""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import CrsrulesError

SECTIONS = ("observations", "medications", "procedures", "encounters")


class Code(BaseModel):
    """One code of a concept, and where it was checked."""

    model_config = ConfigDict(extra="forbid")
    system: str
    code: str
    display: str
    checked: str

    @property
    def verified(self) -> bool:
        return not self.checked.startswith("unverified")


class Concept(BaseModel):
    """A case-log target (``vital.temperature``, ``medication.tocilizumab``, ``oxygen.bipap``) and what maps to it."""

    model_config = ConfigDict(extra="forbid")
    to: str
    codes: list[Code] = Field(default_factory=list)
    names: list[str] = Field(default_factory=list)
    units: dict[str, float] | None = None

    @property
    def kind(self) -> str:
        return self.to.split(".", 1)[0]

    @property
    def target(self) -> str:
        return self.to.split(".", 1)[1]


class Infusion(BaseModel):
    model_config = ConfigDict(extra="forbid")
    codes: list[Code]
    names: list[str]


class Mapping(BaseModel):
    """The whole mapping; ``systems`` maps short names (``loinc``) to FHIR system URIs."""

    model_config = ConfigDict(extra="forbid")
    version: int
    systems: dict[str, str]
    sources: dict[str, str]
    observations: list[Concept]
    medications: list[Concept]
    infusion: Infusion
    procedures: list[Concept]
    encounters: list[Concept]

    def uri(self, system: str) -> str:
        return self.systems.get(system, system)


class Match(NamedTuple):
    """A concept found for a coding: ``how`` is ``code`` or ``name``; ``code`` the matching code, if any."""

    concept: Concept
    how: str
    code: Code | None


class Index:
    """Look-ups by (system URI, code) and by whole-word name, per section."""

    def __init__(self, mapping: Mapping):
        self.mapping = mapping
        self._codes: dict[str, dict[tuple[str, str], tuple[Concept, Code]]] = {}
        self._names: dict[str, list[tuple[re.Pattern[str], Concept]]] = {}
        for section in SECTIONS:
            concepts: list[Concept] = getattr(mapping, section)
            self._codes[section] = {(mapping.uri(c.system), c.code): (concept, c) for concept in concepts for c in concept.codes}
            self._names[section] = [(_word(n), concept) for concept in concepts for n in concept.names]
        self._infusion_codes = {(mapping.uri(c.system), c.code): c for c in mapping.infusion.codes}
        self._infusion_names = [_word(n) for n in mapping.infusion.names]

    def find(self, section: str, codings: Iterable[tuple[str | None, str | None]], texts: Iterable[str]) -> list[Match]:
        """Every distinct concept that the codings (by code) or, failing those, the texts (by name) point to."""
        found: dict[str, Match] = {}
        for system, code in codings:
            hit = self._codes[section].get((system or "", code or ""))
            if hit and hit[0].to not in found:
                found[hit[0].to] = Match(hit[0], "code", hit[1])
        if found:
            return list(found.values())
        for text in texts:
            for pattern, concept in self._names[section]:
                if concept.to not in found and pattern.search(text):
                    found[concept.to] = Match(concept, "name", None)
        return list(found.values())

    def infusion(self, codings: Iterable[tuple[str | None, str | None]], texts: Iterable[str]) -> str | None:
        """``code`` or ``name`` when the codings or texts name a CAR-T infusion, else None."""
        if any((s or "", c or "") in self._infusion_codes for s, c in codings):
            return "code"
        if any(p.search(t) for t in texts for p in self._infusion_names):
            return "name"
        return None


def _word(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![A-Za-z0-9])" + re.escape(name) + r"(?![A-Za-z0-9])", re.I)


def parse_mapping(data: Any, source: str = "fhir-mapping.yaml") -> Mapping:
    """Validate mapping data; every ``checked`` names a source or starts with ``unverified``."""
    try:
        mapping = Mapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise CrsrulesError(f"{source}: bad-mapping: {problems}") from None
    for section in SECTIONS:
        for concept in getattr(mapping, section):
            for code in concept.codes:
                if code.verified and code.checked not in mapping.sources:
                    raise CrsrulesError(f"{source}: bad-mapping: {concept.to} {code.code}: unknown source {code.checked!r}")
    return mapping


def with_drug_table(mapping: Mapping) -> Mapping:
    """The mapping with its drugs (``medication.<id>``) read from the package's drug table
    (rulesets/_inputs/drugs.yaml): every name and brand of a row, its RxNorm ingredient code and the RxNorm
    codes of its clinical drugs, checked by the table's source (``drugs.<key>``). Other medication concepts (the vasopressors) follow."""
    from ..caselog.drugs import TABLE, table

    drugs = table()
    concepts = [Concept(to=f"medication.{d.id}", names=list(dict.fromkeys(d.names)),
                        codes=([Code(system="rxnorm", code=d.rxcui, display=d.generic, checked=f"drugs.{d.rxcui_source[0]}")]
                               if d.rxcui and d.rxcui_source else [])
                        + [Code(system="rxnorm", code=c, display=f"{d.generic} (a clinical drug)",
                                checked=f"drugs.{d.products_source[0]}") for c in d.products if d.products_source])
                for d in drugs.drugs]
    sources = {**mapping.sources, **{f"drugs.{k}": f"{TABLE}: {v}" for k, v in drugs.sources.items()}}
    others = [c for c in mapping.medications if c.kind != "medication"]
    return mapping.model_copy(update={"medications": concepts + others, "sources": sources})


@lru_cache(maxsize=1)
def bundled_mapping() -> Mapping:
    """The bundled mapping, its drugs from the drug table."""
    text = (resources.files("crsrules.rulesets") / "_inputs" / "fhir-mapping.yaml").read_text(encoding="utf-8")
    return with_drug_table(parse_mapping(yaml.safe_load(text)))


@lru_cache(maxsize=8)
def _load(site: Path | None, stamp: tuple[int, int] | None) -> Index:
    if site is None:
        return Index(bundled_mapping())
    from .site_mapping import read_site_mapping

    return Index(read_site_mapping(site, bundled_mapping()))


def load_mapping(site: Path | None = None) -> Index:
    """The bundled mapping, indexed, with a site's own mapping file added when one is given (``--mapping``)."""
    if site is None:
        return _load(None, None)
    try:
        st = site.stat()
    except OSError as exc:
        raise CrsrulesError(f"{site}: bad-mapping: cannot be read: {exc.strerror or exc}") from None
    return _load(site.resolve(), (st.st_mtime_ns, st.st_size))


def all_concepts(mapping: Mapping) -> list[tuple[str, Concept]]:
    """(section, concept) for every concept, in file order."""
    return [(s, c) for s in SECTIONS for c in getattr(mapping, s)]
