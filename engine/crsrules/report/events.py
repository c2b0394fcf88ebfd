"""What the case log says happened: labs, temperature, oxygen, vasopressors, procedures, medications."""
from __future__ import annotations

from typing import Any, Iterable

from .shapes import Bar, DayScale, Line, Mark, esc, hover, wrap

LABS = {"ferritin": "ferritin", "crp": "CRP", "il6": "IL-6", "il10": "IL-10", "ifn_gamma": "IFN-γ",
        "tnf_alpha": "TNF-α"}
DEVICES = {"room_air": "room air", "blow_by": "blow-by", "nasal_cannula": "nasal cannula",
           "high_flow_nasal_cannula": "high-flow nasal cannula", "simple_mask": "simple mask",
           "venturi_mask": "Venturi mask", "non_rebreather": "non-rebreather", "cpap": "CPAP", "bipap": "BiPAP",
           "invasive_ventilation": "invasive ventilation", "ecmo": "ECMO"}
PROCEDURES = {"hospital": "hospital", "icu": "ICU", "crrt": "CRRT", "hemoadsorption": "haemoadsorption",
              "plasma_exchange": "plasma exchange"}
OXYGEN = "oxygen"
BOLUS = "fluid bolus"


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else esc(value)


def _qty(q: dict[str, Any] | None) -> str:
    return f"{_num(q['value'])} {esc(q['unit'])}" if q else ""


def _common(e: dict[str, Any], clock: DayScale, t: float) -> list[str]:
    return [clock.when(t), f"id: {esc(e['id'])}" if e.get("id") else "", f"note: {wrap(e['note'])}" if e.get("note") else ""]


class EventLanes:
    """Lanes, bars and marks of one case log, read from its events (canonical units) in time order."""

    def __init__(self, events: Iterable[tuple[float, dict[str, Any]]], clock: DayScale, end: float) -> None:
        self.clock, self.end = clock, end
        self.lines: dict[str, Line] = {}
        self.temperature = Line("temperature", "Cel")
        self.bars: list[Bar] = []
        self.marks: list[Mark] = []
        self.deaths: list[Mark] = []
        self._open: dict[str, tuple[float, str, str, str]] = {}
        for t, e in events:
            getattr(self, "_" + e["type"], lambda t, e: None)(t, e)
        for lane in list(self._open):
            self._close(lane, end, running=True)

    def _lab(self, t: float, e: dict[str, Any]) -> None:
        if e["name"] not in LABS:
            return
        line = self.lines.setdefault(e["name"], Line(LABS[e["name"]], e["unit"]))
        self._point(line, t, e, LABS[e["name"]])

    def _vital(self, t: float, e: dict[str, Any]) -> None:
        if e["name"] == "temperature":
            self._point(self.temperature, t, e, "temperature")

    def _point(self, line: Line, t: float, e: dict[str, Any], name: str) -> None:
        line.xs.append(self.clock.day(t))
        line.ys.append(e["value"])
        line.hovers.append(hover(f"<b>{esc(name)} {_num(e['value'])} {esc(e['unit'])}</b>", *_common(e, self.clock, t)))

    def _close(self, lane: str, t: float, running: bool = False) -> None:
        start, key, label, text = self._open.pop(lane)
        ends = " (still running at the end of the record)" if running else ""
        self.bars.append(Bar(lane, self.clock.day(start), self.clock.day(t), key, label,
                             hover(text, f"until {self.clock.when(t)}{ends}")))

    def _period(self, lane: str, t: float, action: str, key: str, label: str, text: str) -> None:
        if lane in self._open:
            self._close(lane, t)
        if action != "stop":
            self._open[lane] = (t, key, label, text)

    def _oxygen(self, t: float, e: dict[str, Any]) -> None:
        device = DEVICES.get(e["device"], e["device"])
        detail = " ".join(x for x in (_qty(e.get("flow")), f"FiO2 {_num(e['fio2'])}" if e.get("fio2") else "") if x)
        label = f"{device} {detail}".strip()
        text = hover(f"<b>oxygen: {esc(label)}</b>", *_common(e, self.clock, t))
        self._period(OXYGEN, t, "start", "room_air" if e["device"] == "room_air" else OXYGEN, esc(label), text)

    def _vasopressor(self, t: float, e: dict[str, Any]) -> None:
        label = " ".join(x for x in (esc(e["agent"]), _qty(e.get("dose"))) if x)
        text = hover(f"<b>{label} ({esc(e['action'])})</b>", *_common(e, self.clock, t))
        self._period(e["agent"], t, e["action"], "vasopressor", label, text)

    def _procedure(self, t: float, e: dict[str, Any]) -> None:
        lane = PROCEDURES.get(e["name"], e["name"])
        device = f" ({esc(e['device'])})" if e.get("device") else ""
        text = hover(f"<b>{esc(lane)}{device}: {esc(e['action'])}</b>", *_common(e, self.clock, t))
        if e["action"] == "change":
            self.marks.append(Mark(lane, self.clock.day(t), "change", text))
            if lane in self._open:
                return
        self._period(lane, t, e["action"], e["name"], esc(lane) + device, text)

    def _fluid_bolus(self, t: float, e: dict[str, Any]) -> None:
        text = hover(f"<b>fluid bolus {_qty(e.get('volume'))}</b>", *_common(e, self.clock, t))
        self.marks.append(Mark(BOLUS, self.clock.day(t), "bolus", text))

    def _medication(self, t: float, e: dict[str, Any]) -> None:
        what = " ".join(x for x in (esc(e["drug"]), _qty(e.get("dose")), esc(e.get("route") or "")) if x)
        self.marks.append(Mark(e["drug"], self.clock.day(t), "medication", hover(f"<b>{what}</b>", *_common(e, self.clock, t))))

    def _death(self, t: float, e: dict[str, Any]) -> None:
        cause = f" (cause: {esc(e['cause'])})" if e.get("cause") else ""
        self.deaths.append(Mark("death", self.clock.day(t), "death", hover(f"<b>death{cause}</b>", *_common(e, self.clock, t))))

    def lanes(self) -> list[str]:
        """Support lanes top to bottom: stays, oxygen, vasopressors, procedures, boluses, then each drug."""
        used = {b.lane for b in self.bars} | {m.lane for m in self.marks}
        fixed = ["hospital", "ICU", OXYGEN]
        pressors = sorted({b.lane for b in self.bars if b.key == "vasopressor"})
        procs = ["CRRT", "haemoadsorption", "plasma exchange", BOLUS]
        drugs = [m.lane for m in self.marks if m.key == "medication"]
        order = fixed + pressors + procs + list(dict.fromkeys(drugs))
        return [lane for lane in order if lane in used] + sorted(used - set(order))
