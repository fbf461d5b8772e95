import os
import tempfile
from pathlib import Path

import pytest

from services.identity.accounts import passwords
from services.identity.settings import IdentitySettings
from tests.support.databases import PostgresDatabases, SQLiteDatabases, postgres_reachable
from tests.support.stack import ROOT_LOGIN, InProcessStack
from tests.support.tokens import TestKeys

# Apps built by tests get their secrets from the test (or none where a test needs none); outside
# the tests an empty secret stops an app at start-up. Tests of that refusal turn this off.
os.environ.setdefault("CASCADE_ALLOW_EMPTY_SECRETS", "true")
# Password hashes at argon2id's lowest cost, which that switch allows: the tests hash and check
# thousands of passwords, ~26 ms of CPU each at the real cost (measured), ~0.1 ms at this one.
PASSWORD_COST = {"IDENTITY_PASSWORD_TIME_COST": "1", "IDENTITY_PASSWORD_MEMORY_KIB": "8"}
for name, value in PASSWORD_COST.items():
    os.environ.setdefault(name, value)

# Temporary files (tmp_path, and so the SQLite databases and the apps' var dirs) go to a RAM
# disk where there is one, unless TMPDIR says otherwise: every SQLite commit waits for a disk
# flush, and on a busy disk that doubled the web tests' time (measured). Subprocesses (the
# browser tests' servers) inherit it.
RAM_DISK = Path("/dev/shm")  # noqa: S108 (a root for tempfile, which makes private dirs)
if "TMPDIR" not in os.environ and RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK):
    os.environ["TMPDIR"] = str(RAM_DISK)
    tempfile.tempdir = None  # read TMPDIR again


def pytest_collection_modifyitems(items):
    """Browser tests last: they are the slowest, and the fast ones should fail first."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# Tests that share a fixture too costly to make twice run in one process under pytest-xdist:
# the browser tests their live suite, the contract tests their module's stacks, the
# authorization matrix its world (built once per database).
SHARING_ONE_PROCESS = {"tests/e2e/": "browser", "tests/contract/": "contract",
                       "tests/authorization/": "authorization"}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`make test` spreads the tests over processes (pytest -n): one test at a time, except
    the groups above. xdist hands out the biggest groups first, so they run beside the other
    tests instead of after them. (xdist's own --dist loadgroup cannot: it renames nodes in a
    way pytest 9 no longer reads.)"""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in SHARING_ONE_PROCESS.items():
                if nodeid.startswith(prefix):
                    return group
            return nodeid

    return Scheduling(config, log)


@pytest.fixture(scope="session")
def sqlite_databases(tmp_path_factory):
    return SQLiteDatabases(tmp_path_factory.mktemp("sqlite"))


@pytest.fixture(scope="session")
def postgres_databases():
    if not postgres_reachable():
        pytest.skip("PostgreSQL is not reachable at CASCADE_TEST_POSTGRES_URL or 127.0.0.1:5432")
    databases = PostgresDatabases()
    yield databases
    databases.close()


@pytest.fixture(params=["sqlite", "postgres"])
def database_urls(request, tmp_path) -> dict[str, str]:
    """Clean, migrated databases for every service, keyed by service name; once per backend."""
    databases = request.getfixturevalue(f"{request.param}_databases")
    return databases.fresh(tmp_path / "db")


@pytest.fixture
def production_password_cost(monkeypatch):
    """Identity's settings hash at their production cost, as outside the tests; the tests'
    cheap hashing is back afterwards (the hasher is the process's)."""
    for name in PASSWORD_COST:
        monkeypatch.delenv(name, raising=False)
    yield
    monkeypatch.undo()
    passwords.configure(IdentitySettings())


@pytest.fixture(scope="session")
def keys() -> TestKeys:
    return TestKeys()


@pytest.fixture
async def stack(database_urls, tmp_path):
    """The whole suite in one process, with a platform admin signed in as ROOT_LOGIN."""
    async with InProcessStack(database_urls, var_dir=tmp_path) as stack:
        await stack.create_admin(*ROOT_LOGIN)
        yield stack
