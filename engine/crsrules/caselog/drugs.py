"""The drug table (``rulesets/_inputs/drugs.yaml``): a medication's name as charted to the one id rules read.

A name is matched with case, spaces and punctuation ignored, by the row's id, generic name,
synonyms, brand names, RxNorm ingredient code or the RxNorm codes of its clinical drugs (:func:`resolve`). An order text that names
one drug of the table and otherwise only doses, routes, frequencies and the words of an order
(``TOCILIZUMAB 400 MG IVPB``, ``dexamethasone 10mg IV q6h``) is read as that drug, with its
dose when the text gives exactly one and its route when it gives exactly one. Two drugs, or
any other word, and the text is not read: the name is kept as charted and the reader warns
(``unknown-drug``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, NamedTuple


from ..errors import Issue, RulesetError

TABLE = "rulesets/_inputs/drugs.yaml"
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE = re.compile(r"^\d{1,10}$")
_ROW_KEYS = {"id", "generic", "synonyms", "brands", "names_source", "rxcui", "rxnorm_products"}
_PREFIXED_CODE = re.compile(r"^\s*(?:rxnorm|rxcui)\s*[:#]?\s*(\d{1,10})\s*$", re.I)


def name_key(name: str) -> str:
    """A name with case, spaces and punctuation ignored (``Solu-Medrol`` and ``SOLU MEDROL`` alike)."""
    return re.sub(r"[^0-9a-z]", "", name.casefold())


@dataclass(frozen=True)
class Drug:
    """One row of the table."""

    id: str
    generic: str
    synonyms: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    rxcui: str | None = None
    rxcui_source: tuple[str, str] | None = None  # (source key, locator)
    line: int | None = None
    products: tuple[str, ...] = ()  # RxNorm codes of the drug's clinical drugs (as a hospital's order carries them)
    products_source: tuple[str, str] | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name of the drug: generic, synonyms, brands (the id when it reads otherwise)."""
        spaced = self.id.replace("_", " ")
        extra = (spaced,) if name_key(spaced) != name_key(self.generic) else ()
        return (self.generic, *self.synonyms, *self.brands, *extra)


@dataclass
class DrugTable:
    """The rows, the sources they cite, and the look-ups built from them."""

    drugs: list[Drug]
    sources: dict[str, str]
    by_key: dict[str, str] = field(default_factory=dict)  # name key or RxCUI -> id
    pattern: re.Pattern[str] | None = None  # every name, for order texts
    key_of_match: dict[str, str] = field(default_factory=dict)  # a matched name's key -> id

    def __post_init__(self) -> None:
        for drug in self.drugs:
            for name in (drug.id, *drug.names):
                self.by_key[name_key(name)] = drug.id
            if drug.rxcui:
                self.by_key[drug.rxcui] = drug.id
            for code in drug.products:
                self.by_key[code] = drug.id
        alternatives = []
        for drug in self.drugs:
            for name in drug.names:
                words = re.findall(r"[0-9a-z]+", name.casefold())
                alternatives.append((len(name), r"[\s\-_./]*".join(map(re.escape, words))))
                self.key_of_match[name_key(name)] = drug.id
        alternatives.sort(reverse=True)
        self.pattern = re.compile(r"(?<![0-9a-z])(?:" + "|".join(a for _, a in alternatives) + r")(?![0-9a-z])")

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(d.id for d in self.drugs)

    def get(self, drug_id: str) -> Drug | None:
        return next((d for d in self.drugs if d.id == drug_id), None)


def parse_table(data: Any, marks: dict[tuple[Any, ...], tuple[int, int]], file: str = TABLE,
                required: tuple[str, ...] = ()) -> DrugTable:
    """Validate the table's data; :class:`RulesetError` lists every problem, ``file:line: bad-drug-table: ...``."""
    issues: list[Issue] = []

    def problem(path: tuple[Any, ...], message: str) -> None:
        line = None
        for end in range(len(path), -1, -1):
            if path[:end] in marks:
                line = marks[path[:end]][0]
                break
        issues.append(Issue(file, line, "bad-drug-table", message))

    if not isinstance(data, dict):
        raise RulesetError([Issue(file, None, "bad-drug-table", "the drug table is a mapping with version, sources and drugs")])
    for key in sorted(set(data) - {"version", "sources", "drugs"}, key=str):
        problem((key,), f"unknown key {key!r} (the table has version, sources and drugs)")
    if data.get("version") != 1:
        problem(("version",), "version must be 1")
    sources = data.get("sources")
    if not isinstance(sources, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                                 for k, v in sources.items()):
        problem(("sources",), "sources is a mapping from a key to the text of a source")
        sources = {}
    rows = data.get("drugs")
    if not isinstance(rows, list):
        problem(("drugs",), "drugs is a list of rows")
        rows = []
    drugs: list[Drug] = []
    seen_names: dict[str, tuple[str, int | None]] = {}
    seen_codes: dict[str, str] = {}
    for n, row in enumerate(rows):
        where = ("drugs", n)
        line = marks.get(where, (None, None))[0]
        if not isinstance(row, dict):
            problem(where, "a row is a mapping with id and generic")
            continue
        for key in sorted(set(row) - _ROW_KEYS, key=str):
            problem((*where, key), f"unknown key {key!r} (a row has {', '.join(sorted(_ROW_KEYS))})")
        drug_id, generic = row.get("id"), row.get("generic")
        if not isinstance(drug_id, str) or not _ID.match(drug_id):
            problem((*where, "id"), f"id {drug_id!r} is not a lower-case name (letters, digits, _)")
            continue
        if not isinstance(generic, str) or not re.search(r"[a-z]", generic.casefold()):
            problem((*where, "generic"), f"{drug_id}: generic is the drug's generic name")
            continue
        names: dict[str, tuple[str, ...]] = {}
        for part in ("synonyms", "brands"):
            value = row.get(part, [])
            if not isinstance(value, list) or not all(isinstance(v, str) and re.search(r"[a-z]", v.casefold()) for v in value):
                problem((*where, part), f"{drug_id}: {part} is a list of names, each with a letter")
                value = []
            names[part] = tuple(value)
        cited = row.get("names_source")
        if names["synonyms"] or names["brands"]:
            if not isinstance(cited, list) or not cited:
                problem((*where, "names_source"), f"{drug_id}: synonyms and brands need names_source (key and locator of each source)")
        for k, ref in enumerate(cited or []):
            if not isinstance(ref, dict) or set(ref) != {"key", "locator"} or ref.get("key") not in sources \
                    or not isinstance(ref.get("locator"), str):
                problem((*where, "names_source", k), f"{drug_id}: a names source is {{key, locator}}, key one of sources")
        code, code_source = None, None
        rx = row.get("rxcui")
        if rx is not None:
            if not isinstance(rx, dict) or set(rx) != {"code", "key", "locator"} or not isinstance(rx.get("code"), str) \
                    or not _CODE.match(rx["code"]) or rx.get("key") not in sources or not isinstance(rx.get("locator"), str):
                problem((*where, "rxcui"), f"{drug_id}: rxcui is {{code: \"digits\", key: a source, locator}}")
            else:
                code, code_source = rx["code"], (rx["key"], rx["locator"])
                if code in seen_codes:
                    problem((*where, "rxcui"), f"{drug_id}: RxCUI {code} is also {seen_codes[code]}'s")
                seen_codes[code] = drug_id
        products: tuple[str, ...] = ()
        products_source: tuple[str, str] | None = None
        listed = row.get("rxnorm_products")
        if listed is not None:
            if not isinstance(listed, dict) or set(listed) != {"codes", "key", "locator"} or listed.get("key") not in sources \
                    or not isinstance(listed.get("locator"), str) or not isinstance(listed.get("codes"), list) \
                    or not listed["codes"] or not all(isinstance(c, str) and _CODE.match(c) for c in listed["codes"]):
                problem((*where, "rxnorm_products"),
                        f"{drug_id}: rxnorm_products is {{codes: [\"digits\", ...], key: a source, locator}}")
            else:
                products, products_source = tuple(listed["codes"]), (listed["key"], listed["locator"])
                for c in products:
                    if c in seen_codes and seen_codes[c] != drug_id:
                        problem((*where, "rxnorm_products"), f"{drug_id}: RxCUI {c} is also {seen_codes[c]}'s")
                    seen_codes[c] = drug_id
        drug = Drug(drug_id, generic, names["synonyms"], names["brands"], code, code_source, line, products,
                    products_source)
        for name in (drug_id, *drug.names):
            key = name_key(name)
            other = seen_names.get(key)
            if other is not None and other[0] != drug_id:
                problem(where, f"{drug_id}: the name {name!r} is also a name of {other[0]} (line {other[1]})")
            seen_names[key] = (drug_id, line)
        drugs.append(drug)
    ids = [d.id for d in drugs]
    for drug_id in sorted({i for i in ids if ids.count(i) > 1}):
        problem(("drugs",), f"id {drug_id!r} is given to more than one row")
    for drug_id in required:
        if drug_id not in ids:
            problem(("drugs",), f"no row for {drug_id!r}, a drug the case-log format names")
    if issues:
        raise RulesetError(issues)
    return DrugTable(drugs, dict(sources))


def read_table(text: str, file: str = TABLE) -> DrugTable:
    """The table from YAML text (:func:`parse_table`; a YAML error is one ``bad-drug-table`` line)."""
    from ..knowledge.yamlmarks import load_with_marks, yaml_errors  # guarded, and cached once parsed
    from .models import KNOWN_DRUGS

    try:
        data, marks = load_with_marks(text)
    except yaml_errors() as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RulesetError([Issue(file, line, "bad-drug-table", f"not valid YAML: {reason}")]) from None
    return parse_table(data, marks, file, KNOWN_DRUGS)


@lru_cache(maxsize=1)
def table() -> DrugTable:
    """The bundled table (read once)."""
    text = (resources.files("crsrules.rulesets") / "_inputs" / "drugs.yaml").read_text(encoding="utf-8")
    return read_table(text)


# -- reading a name as charted -----------------------------------------------------------------

class Resolved(NamedTuple):
    """What a name as charted stands for: the drug's id (None when none, or more than one),
    how it was read (``id``, ``name``, ``code``, ``order``, ``unknown``, ``ambiguous``), the other
    drugs an ambiguous text names, and the dose and route an order text gives."""

    id: str | None
    how: str
    candidates: tuple[str, ...] = ()
    dose: tuple[float | int, str] | None = None
    route: str | None = None


_DOSE_UNITS = {"mg": "mg", "g": "g", "mcg": "ug", "ug": "ug", "µg": "ug", "mg/kg": "mg/kg", "mcg/kg": "ug/kg",
               "ug/kg": "ug/kg", "µg/kg": "ug/kg", "mg/m2": "mg/m2", "mg/m²": "mg/m2", "ml": "mL", "ml/kg": "mL/kg"}
_QUANTITY = re.compile(r"(?<![0-9a-z.])(\d+(?:\.\d+)?)\s*(mg/kg|mcg/kg|ug/kg|µg/kg|mg/m2|mg/m²|ml/kg|mg|mcg|ug|µg|g|ml)(?![0-9a-z/])")
_ROUTES = {"iv": "IV", "ivpb": "IV", "ivp": "IV", "intravenous": "IV", "intravenously": "IV", "po": "PO", "oral": "PO",
           "orally": "PO", "sc": "SC", "sq": "SC", "subcut": "SC", "subcutaneous": "SC", "im": "IM", "intramuscular": "IM"}
_TIMES = re.compile(r"(?<![0-9a-z])(?:q\s*\d+(?:\s*-\s*\d+)?\s*(?:h|hr|hrs|hours?)?|x\s*\d+|\d+\s*(?:h|hr|hrs|hours?|min|mins|minutes?))(?![0-9a-z])")  # noqa: E501
_ORDER_WORDS = frozenset({
    "once", "daily", "bid", "tid", "qid", "prn", "stat", "now", "every", "over", "in", "and", "then", "dose", "doses",
    "loading", "infusion", "injection", "inj", "solution", "soln", "vial", "piggyback", "bolus", "push", "tab", "tablet",
    "tablets", "sodium", "succinate", "phosphate", "acetate", "hcl", "hydrochloride", "hour", "hours", "hr", "hrs",
    "h", "min", "mins", "minutes", "x", "iv", "ivpb", "ivp", "intravenous", "intravenously", "po", "oral", "orally",
    "sc", "sq", "subcut", "subcutaneous", "im", "intramuscular", "single", "one", "time",
})


@lru_cache(maxsize=4096)
def resolve(name: str) -> Resolved:
    """Read a medication's name as charted with the bundled table."""
    return resolve_with(table(), name)


def resolve_with(drugs: DrugTable, name: str) -> Resolved:
    """:func:`resolve` with a given table."""
    if name in drugs.ids:
        return Resolved(name, "id")
    key = name_key(name)
    found = drugs.by_key.get(key)
    if found is not None:
        return Resolved(found, "code" if key.isdigit() else "name")
    prefixed = _PREFIXED_CODE.match(name)
    if prefixed and prefixed[1] in drugs.by_key:
        return Resolved(drugs.by_key[prefixed[1]], "code")
    return _order(drugs, name)


def _order(drugs: DrugTable, name: str) -> Resolved:
    """An order text: one drug named, and nothing else but doses, routes, times and order words."""
    text = name.casefold()
    assert drugs.pattern is not None
    mentions = list(drugs.pattern.finditer(text))
    ids = tuple(dict.fromkeys(drugs.key_of_match[name_key(m[0])] for m in mentions))
    if len(ids) != 1:
        return Resolved(None, "ambiguous" if ids else "unknown", ids)
    rest = drugs.pattern.sub(" ", text)
    quantities = _QUANTITY.findall(rest)
    rest = _QUANTITY.sub(" ", rest)
    rest = _TIMES.sub(" ", rest)
    words = re.findall(r"[^\s,;:()\[\]+/&-]+", rest)
    if any(w not in _ORDER_WORDS for w in words):
        return Resolved(None, "unknown", ids)
    routes = {_ROUTES[w] for w in words if w in _ROUTES}
    dose = None
    if len(quantities) == 1:
        value_text, unit = quantities[0]
        value: float | int = float(value_text) if "." in value_text else int(value_text)
        dose = (value, _DOSE_UNITS[unit])
    return Resolved(ids[0], "order", (), dose, routes.pop() if len(routes) == 1 else None)


def unknown_drug(name: str, line: int) -> str | None:
    """The text of the ``unknown-drug`` warning for a medication's name, or None when the table knows it."""
    found = resolve(name)
    if found.id is not None:
        return None
    if found.how == "ambiguous":
        why = f"it names more than one drug ({', '.join(found.candidates)})"
    elif found.candidates:
        why = f"it names {found.candidates[0]} with words that are not a dose, a route or a frequency"
    else:
        why = "no name, brand or RxNorm code of the table matches it"
    return (f"medication {name!r} (line {line}) is not in the drug table ({TABLE}): {why}; "
            f"it is kept as charted and no rule reads it")
