"""The authorization matrix: every route of every service's OpenAPI document, asked by every role,
answers exactly what matrix.txt says (a route missing from the matrix fails, and so does a row
for a route that is gone); and each refusal of network B's admin on network A's objects leaves
a row in A's audit log.

The world (world.py) is built once per backend through the public API, and each route's one
valid request (requests.py) is sent by the ten roles, those the matrix refuses first. Both
databases: about 40 s of CPU each (the world takes a few seconds; much of the rest is the
password hashing of the sign-ins some cells need); on a shared 2-core machine the SQLite run
took 50 to 90 s and the PostgreSQL one 100 to 140 s of wall time, including the audit test's
10 s wait for rows that are not written yet (until i7-denials).
"""

from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from services.evidence.main import create_app as create_evidence
from services.evidence.settings import EvidenceSettings
from services.identity.main import create_app as create_identity
from services.identity.settings import IdentitySettings
from services.reach.main import create_app as create_reach
from services.reach.settings import ReachSettings
from services.scheduling.main import create_app as create_scheduling
from services.scheduling.settings import SchedulingSettings
from tests.authorization.requests import BUILDERS, Request
from tests.authorization.world import IDENTITY, ROLES, World
from tests.support.stack import InProcessStack, eventually

MATRIX_FILE = Path(__file__).with_name("matrix.txt")
FACTORIES = (
    (create_identity, IdentitySettings), (create_scheduling, SchedulingSettings),
    (create_evidence, EvidenceSettings), (create_reach, ReachSettings),
)
REFUSED = (403, 404)


def read_matrix() -> dict[str, tuple[int, ...]]:
    """"METHOD path" -> the ten expected statuses, in ROLES' order; # starts a comment."""
    rows = {}
    for number, line in enumerate(MATRIX_FILE.read_text().splitlines(), start=1):
        fields = line.split("#", 1)[0].split()
        if not fields:
            continue
        assert len(fields) == 2 + len(ROLES), f"matrix.txt line {number}: {line!r}"
        key = f"{fields[0]} {fields[1]}"
        assert key not in rows, f"matrix.txt line {number}: {key} twice"
        rows[key] = tuple(int(code) for code in fields[2:])
    return rows


def documented_routes() -> list[str]:
    """Every operation of the four services' OpenAPI documents (building an app opens nothing)."""
    routes = []
    for factory, settings in FACTORIES:
        app = factory(settings(database_url="sqlite+aiosqlite://", key_encryption_key="x" * 32))
        for path, operations in app.openapi()["paths"].items():
            routes += [f"{method.upper()} {path}" for method in operations]
    return routes


MATRIX = read_matrix()
ROUTES = documented_routes()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
async def world(request, tmp_path_factory):
    databases = request.getfixturevalue(f"{request.param}_databases")
    directory = tmp_path_factory.mktemp(f"matrix-{request.param}")
    async with InProcessStack(databases.fresh(directory / "db"), var_dir=directory) as stack:
        yield await World(stack).build()


async def send(world: World, key: str, role: str) -> tuple[Request, httpx.Response]:
    method, template = key.split(" ", 1)
    request = await BUILDERS[key](world, role)
    path = template.format(**{name: quote(value, safe="") for name, value in request.path.items()})
    headers = {**world.headers[role], **request.headers}
    content = None
    if request.csv is not None:
        headers["Content-Type"] = "text/csv"
        content = request.csv.encode()
    response = await world.client.request(
        method, path, headers=headers, params=request.params, json=request.json,
        data=request.data, files=request.files, content=content)
    return request, response


def test_the_matrix_names_no_route_the_documents_do_not():
    assert sorted(set(MATRIX) - set(ROUTES)) == []
    assert sorted(set(BUILDERS) - set(ROUTES)) == []


@pytest.mark.parametrize("key", ROUTES)
async def test_each_role_gets_the_answer_the_matrix_gives(world, key):
    assert key in MATRIX, f"{key} is not in tests/authorization/matrix.txt"
    assert key in BUILDERS, f"{key} has no request in tests/authorization/requests.py"
    expected = dict(zip(ROLES, MATRIX[key], strict=True))
    wrong = []
    # Refused roles first: a write someone should not make must not change the next answer.
    for role in sorted(ROLES, key=lambda role: expected[role] < 400):
        _, response = await send(world, key, role)
        if response.status_code != expected[role]:
            wrong.append(f"{role}: {response.status_code}, not {expected[role]}: "
                         f"{response.text[:200]}")
    assert not wrong, f"{key}\n" + "\n".join(wrong)


def _cross_network_refusals() -> list[str]:
    """Routes on which the matrix refuses network B's admin (which ones name A's objects is
    known once their request is built)."""
    other_admin = ROLES.index("other_admin")
    return [key for key in ROUTES if key in MATRIX and MATRIX[key][other_admin] in REFUSED]


async def _denials_logged(world: World) -> set[tuple[str, str]]:
    """(method, path) of the denials A's audit log holds for network B's admin."""
    found, cursor = set(), None
    while True:
        params = {"organization_id": world.network, "actor_subject": world.subject["other_admin"],
                  "limit": 100, **({"cursor": cursor} if cursor else {})}
        response = await world.client.get(f"{IDENTITY}/audit", params=params,
                                          headers=world.headers["admin"])
        assert response.status_code == 200, response.text
        body = response.json()
        found |= {(row["details"].get("method"), row["details"].get("path"))
                  for row in body["items"] if row["action"].endswith(".denied")
                  and row["organization_id"] == world.network}
        cursor = body.get("next_cursor")
        if not cursor:
            return found


async def test_each_cross_network_denial_leaves_an_audit_row(world):
    attempts = set()
    for key in _cross_network_refusals():
        request, response = await send(world, key, "other_admin")
        assert response.status_code in REFUSED, f"{key}: {response.status_code}"
        if request.crosses_networks():
            attempts.add(tuple(key.split(" ", 1)))
    assert attempts

    async def all_logged():
        missing = attempts - await _denials_logged(world)
        return not missing or None

    try:
        await eventually(all_logged)
    except AssertionError:
        missing = sorted(attempts - await _denials_logged(world))
        raise AssertionError(f"{len(missing)} denials not in A's audit log: {missing}") from None
