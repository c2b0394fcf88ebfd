"""A site's own mapping file (``--mapping FILE``): codes and names a hospital sends, added to the bundled ones.

The file has the sections of ``rulesets/_inputs/fhir-mapping.yaml`` (``observations``, ``medications``,
``procedures``, ``encounters``, ``infusion``), each optional, with its own ``systems`` and ``sources``
(docs/reference/fhir-mapping.md, "A site's own mapping"). Every problem is one line,
``file:line: bad-mapping: message``: an unknown key, a target the converter cannot write, a code without a
source, a code the bundled mapping (or the file itself) already maps to another target.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..caselog.models import AGENTS, DEVICES
from ..caselog.units import LAB_UNITS, VITAL_UNITS
from ..errors import Issue, RulesetError
from ..knowledge.yamlmarks import Marks, load_with_marks, locate
from .mapping import SECTIONS, Code, Concept, Infusion, Mapping

KEYS = ("version", "systems", "sources", *SECTIONS, "infusion")
MAX_BYTES = 4 * 1024 * 1024


def targets(section: str, drug_ids: frozenset[str]) -> set[str]:
    """The case-log targets a concept of ``section`` may map to."""
    procedures = {f"procedure.{n}" for n in ("hemoadsorption", "crrt", "plasma_exchange", "hospital", "icu")}
    if section == "observations":
        return ({f"vital.{n}" for n in VITAL_UNITS} | {f"lab.{n}" for n in LAB_UNITS}
                | {"oxygen.fio2", "oxygen.flow"})
    if section == "medications":
        return {f"medication.{d}" for d in drug_ids} | {f"vasopressor.{a}" for a in AGENTS}
    if section == "procedures":
        return procedures | {f"oxygen.{d}" for d in DEVICES if d != "room_air"}
    return procedures


def read_site_mapping(path: Path, bundled: Mapping) -> Mapping:
    """The bundled mapping with the site file's concepts added; :class:`RulesetError` lists every problem."""
    file = str(path)
    issues: list[Issue] = []

    def problem(where: tuple[Any, ...], message: str, marks: Marks) -> None:
        line, _ = locate(marks, where)
        issues.append(Issue(file, line, "bad-mapping", message))

    try:
        raw = path.read_bytes()
        if len(raw) > MAX_BYTES:
            raise RulesetError([Issue(file, None, "bad-mapping", f"over {MAX_BYTES // (1024 * 1024)} MiB: not a mapping file")])
        data, marks = load_with_marks(raw.decode("utf-8"))
    except OSError as exc:
        raise RulesetError([Issue(file, None, "bad-mapping", f"cannot be read: {exc.strerror or exc}")]) from None
    except UnicodeDecodeError:
        raise RulesetError([Issue(file, None, "bad-mapping", "not UTF-8 text")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RulesetError([Issue(file, mark.line + 1 if mark else None, "bad-mapping", f"not valid YAML: {reason}")]) from None
    if not isinstance(data, dict):
        raise RulesetError([Issue(file, 1, "bad-mapping", "a mapping file is a YAML mapping with version: 1 and sections")])
    for key in data:
        if key not in KEYS:
            problem((key,), f"unknown key {key!r} (a mapping file has {', '.join(KEYS)})", marks)
    if data.get("version") != 1:
        problem(("version",), "version must be 1", marks)
    systems = data.get("systems") or {}
    if not isinstance(systems, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in systems.items()):
        problem(("systems",), "systems is a mapping from a short name to a code system URI", marks)
        systems = {}
    sources = data.get("sources") or {}
    if not isinstance(sources, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                                 for k, v in sources.items()):
        problem(("sources",), "sources is a mapping from a key to the text of a source (what was read, and where)", marks)
        sources = {}
    clash = {k for k in set(sources) & set(bundled.sources) if sources[k] != bundled.sources[k]}
    for k in sorted(clash):
        problem(("sources", k), f"source key {k!r} is a bundled source already: give yours another key", marks)
    all_systems = {**bundled.systems, **systems}
    drug_ids = frozenset(c.target for c in bundled.medications if c.kind == "medication")
    known = {(all_systems.get(c.system, c.system), c.code): (c_to, "the bundled mapping")
             for s in SECTIONS for concept in getattr(bundled, s) for c_to in [concept.to] for c in concept.codes}
    added: dict[str, list[Concept]] = {s: [] for s in SECTIONS}
    for section in SECTIONS:
        rows = data.get(section, [])
        if not isinstance(rows, list):
            problem((section,), f"{section} is a list of concepts ({{to, codes, names}})", marks)
            continue
        allowed = targets(section, drug_ids)
        for n, row in enumerate(rows):
            try:
                concept = Concept.model_validate(row)
            except ValidationError as exc:
                for e in exc.errors():
                    problem((section, n, *e["loc"]), f"{'.'.join(map(str, e['loc'])) or 'concept'}: {e['msg']}", marks)
                continue
            if concept.to not in allowed:
                problem((section, n, "to"), f"{concept.to!r} is not a target of {section} "
                        f"(one of: {', '.join(sorted(allowed))})", marks)
                continue
            if concept.units is not None:
                problem((section, n, "units"), "units are not read from a site's mapping (the case-log format "
                        "names the units it accepts)", marks)
                continue
            if not concept.codes and not concept.names:
                problem((section, n), f"{concept.to}: give codes or names", marks)
                continue
            for k, code in enumerate(concept.codes):
                _check_code(code, (section, n, "codes", k), concept.to, sources, all_systems, known, problem, marks, file)
            added[section].append(concept)
    infusion = data.get("infusion")
    extra_infusion = Infusion(codes=[], names=[])
    if infusion is not None:
        try:
            extra_infusion = Infusion.model_validate(infusion)
        except ValidationError as exc:
            for e in exc.errors():
                problem(("infusion", *e["loc"]), f"infusion.{'.'.join(map(str, e['loc']))}: {e['msg']}", marks)
        for k, code in enumerate(extra_infusion.codes):
            _check_code(code, ("infusion", "codes", k), "infusion", sources, all_systems, known, problem, marks, file)
    if issues:
        raise RulesetError(sorted(issues, key=lambda i: i.line or 0))
    update: dict[str, Any] = {s: added[s] + getattr(bundled, s) for s in SECTIONS}
    update["systems"] = all_systems
    update["sources"] = {**bundled.sources, **{k: f"{file}: {v}" for k, v in sources.items()}}
    update["infusion"] = Infusion(codes=bundled.infusion.codes + extra_infusion.codes,
                                  names=bundled.infusion.names + extra_infusion.names)
    return bundled.model_copy(update=update)


def _check_code(code: Code, where: tuple[Any, ...], to: str, sources: dict[str, str], systems: dict[str, str],
                known: dict[tuple[str, str], tuple[str, str]], problem: Any, marks: Marks, file: str) -> None:
    if code.verified and code.checked not in sources:
        problem((*where, "checked"), f"{to} {code.code}: checked {code.checked!r} is not a key of this file's "
                "sources (or write 'unverified: why')", marks)
    key = (systems.get(code.system, code.system), code.code)
    if key[0] == code.system and "://" not in code.system and not code.system.startswith("urn:"):
        problem((*where, "system"), f"{to} {code.code}: system {code.system!r} is neither a URI nor a name in systems", marks)
    other = known.get(key)
    if other is not None and other[0] != to:
        problem(where, f"{code.system} {code.code} already maps to {other[0]} ({other[1]})", marks)
    line, _ = locate(marks, where)
    known.setdefault(key, (to, f"{file}:{line}"))
