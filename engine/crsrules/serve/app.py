"""The ASGI application (Starlette): discovery, the two services, and JSON errors for every refusal."""
from __future__ import annotations

import json
import logging
from typing import Sequence

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ..knowledge.model import Ruleset
from .answer import answer
from .request import Refused
from .services import discovery

LOG = logging.getLogger("crsrules.serve")


def _error(status: int, code: str, message: str, fields: list[str] | None = None) -> JSONResponse:
    return JSONResponse(Refused(status, code, message, fields).body(), status_code=status)


def create_app(rulesets: Sequence[Ruleset]) -> Starlette:
    """The service over ``rulesets`` (loaded and resolved by the caller)."""
    chosen = list(rulesets)

    async def services(request: Request) -> JSONResponse:
        return JSONResponse(discovery())

    async def call(request: Request) -> JSONResponse:
        service_id = request.path_params["service_id"]
        raw = await request.body()
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(400, "invalid-json", f"the request body is not JSON: {exc}")
        try:
            return JSONResponse(await run_in_threadpool(answer, service_id, body, chosen))
        except Refused as exc:
            return JSONResponse(exc.body(), status_code=exc.status)
        except Exception as exc:  # an answer, never a traceback, to the client (logged)
            LOG.exception("hook call failed")
            return _error(500, "internal-error", f"{type(exc).__name__}: the service failed on this request")

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        status = getattr(exc, "status_code", 500)
        return _error(status, "not-found" if status == 404 else "method-not-allowed" if status == 405 else "http-error",
                      str(getattr(exc, "detail", "")) or "not available")

    routes = [Route("/cds-services", services, methods=["GET"]),
              Route("/cds-services/{service_id}", call, methods=["POST"])]
    return Starlette(routes=routes, exception_handlers={HTTPException: http_error})
