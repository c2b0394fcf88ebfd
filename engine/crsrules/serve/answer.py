"""One CDS Hooks call answered: the request checked, the prefetched record replayed, the cards made."""
from __future__ import annotations

from typing import Any, Sequence

from ..knowledge.model import Ruleset
from .cards import CardMaker, patient_view_cards
from .orders import order_cards
from .replaying import replay_resources
from .request import Refused, draft_orders, read_request
from .services import ORDER_SELECT, SERVICES


def answer(service_id: str, body: Any, rulesets: Sequence[Ruleset]) -> dict[str, Any]:
    """The CDS Hooks response to one call; raises :class:`Refused` for a request it cannot use."""
    service = SERVICES.get(service_id)
    if service is None:
        raise Refused(404, "unknown-service", f"no CDS service {service_id!r}; GET /cds-services lists them")
    req = read_request(body, service)
    orders = draft_orders(req.context) if service is ORDER_SELECT else []
    made = replay_resources(req.resources, rulesets)
    maker = CardMaker(req.hook_instance, req.patient_id, rulesets)
    if service is ORDER_SELECT:
        return {"cards": order_cards(req, orders, rulesets, maker, made)}
    return {"cards": patient_view_cards(made, maker, rulesets)}
