"""Print the FHIR mapping (rulesets/_inputs/fhir-mapping.yaml) as the table docs/reference/fhir-mapping.md shows."""
from __future__ import annotations

import sys

from crsrules.interop.mapping import all_concepts, load_mapping


def rows() -> list[tuple[str, ...]]:
    mapping = load_mapping().mapping
    out = []
    for section, concept in all_concepts(mapping):
        for code in concept.codes:
            out.append((section, concept.to, code.system, code.code, code.display, code.checked.split(":")[0]))
        if concept.names:
            out.append((section, concept.to, "name", "-", "; ".join(concept.names), "matched by name"))
        if not concept.codes and not concept.names:
            out.append((section, concept.to, "-", "-", "-", "not mapped"))
    inf = mapping.infusion
    out += [("infusion", "infusion", c.system, c.code, c.display, c.checked) for c in inf.codes]
    out.append(("infusion", "infusion", "name", "-", "; ".join(inf.names), "matched by name"))
    return out


def main(argv: list[str]) -> None:
    if argv[1:] == ["sources"]:
        for key, text in load_mapping().mapping.sources.items():
            print(f"{key}: {text}")
        return
    head = ("resource", "case-log target", "system", "code", "display or names", "checked")
    table = [head, *rows()]
    widths = [min(max(len(r[i]) for r in table), 60) for i in range(len(head))]
    for r in table:
        print("  ".join(cell[:60].ljust(w) for cell, w in zip(r, widths)).rstrip())


if __name__ == "__main__":
    main(sys.argv)
