import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # feeds.py, crash_child.py, pg.py

import pg


@pytest.fixture(scope="session")
def postgres():
    """The URL of a throwaway PostgreSQL cluster (pg.py); skipped, with the reason, where PostgreSQL or the
    postgres extra is not installed, but never under CI (.ci/run installs both)."""
    ci = os.environ.get("CI") == "true"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        if ci:
            pytest.fail("psycopg is not installed (the postgres extra)")
        pytest.skip("the postgres extra (psycopg) is not installed")
    bin_dir = pg.binaries()
    if bin_dir is None:
        if ci:
            pytest.fail("PostgreSQL's initdb is not installed (.ci/run installs Debian's postgresql)")
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
    cluster = pg.Cluster(bin_dir)
    yield cluster.url
    cluster.stop()
