"""Fixtures of the service's tests (imported by them, not a conftest.py: tests/report imports its conftest by
module name). The tests run ``crsrules serve`` (uvicorn) on 127.0.0.1 on a free port and call it over HTTP (httpx).

They need the ``serve`` extra (Starlette, uvicorn), the ``fhir`` extra and httpx (the ``test`` extra). Outside CI a
missing one skips them, with the reason; in CI (``CI=true``) it fails them, so they never silently skip there.
"""
from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Iterator

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULESETS = ["astct-2019-crs", "astct-2019-icans", "crs-escalation", "hlh-flags"]
NEEDED = {"starlette": "the serve extra", "uvicorn": "the serve extra", "httpx": "the test extra",
          "fhir.resources": "the fhir extra"}


def _present(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


@pytest.fixture(scope="session")
def extras() -> None:
    missing = sorted({why for module, why in NEEDED.items() if not _present(module)})
    if missing:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{', '.join(missing)} missing in CI (.ci/run installs them)")
        pytest.skip(f"not installed: {', '.join(missing)} (pip install -e '.[serve,fhir,test]')")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def base_url(extras: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running ``crsrules serve`` on this machine, stopped after the session."""
    import httpx

    port = free_port()
    args = [sys.executable, "-m", "crsrules", "serve", "--host", "127.0.0.1", "--port", str(port)]
    for rs in RULESETS:
        args += ["--ruleset", rs]
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    out = log.open("w")
    proc = subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"crsrules serve exited ({proc.returncode}): {log.read_text()}")
            try:
                if httpx.get(f"{url}/cds-services", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("crsrules serve did not answer within 90 s")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        out.close()
