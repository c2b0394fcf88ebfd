"""The ``postgres`` fixture: a throwaway cluster (pg.py) for the session. Imported by the test modules that
use it (tests/store has no conftest.py: a second module named ``conftest`` on the path would shadow
tests/report's, which its tests import by name)."""
from __future__ import annotations

import os

import pytest

from pg import Cluster, binaries


@pytest.fixture(scope="session", name="postgres")
def postgres_cluster():
    """The URL of a throwaway PostgreSQL cluster (pg.py); skipped, with the reason, where PostgreSQL or the
    postgres extra is not installed, but never under CI (.ci/run installs both)."""
    ci = os.environ.get("CI") == "true"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        if ci:
            pytest.fail("psycopg is not installed (the postgres extra)")
        pytest.skip("the postgres extra (psycopg) is not installed")
    bin_dir = binaries()
    if bin_dir is None:
        if ci:
            pytest.fail("PostgreSQL's initdb is not installed (.ci/run installs Debian's postgresql)")
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
    cluster = Cluster(bin_dir)
    yield cluster.url
    cluster.stop()
