"""`cascade reach rebuild`: the read model emptied and read again from the feeds gives the same
figures as the one the feeds built as they went (on both databases)."""

from sqlalchemy import update

from services.cli import main
from services.reach.feeds.rebuild import READ_MODEL, rebuild
from services.reach.readmodel.models import Person
from tests.reach.callers import WINDOW, admin_of_network

QUESTIONS = [
    ("summary", {}), ("summary", {"county": "Alameda"}), ("summary", {"subject": "math"}),
    *(("breakdown", {"dimension": d}) for d in ("county", "school", "role", "subject",
                                                 "event_kind", "high_poverty")),
    ("cascade", {}), ("cascade", {"leader_id": "L1"}), ("growth", {"from": "2025-07-01"}),
]


async def answers(client, keys) -> list[dict]:
    out = []
    for path, params in QUESTIONS:
        response = await client.get(f"/api/reach/v1/{path}", headers=admin_of_network(keys),
                                    params={**WINDOW, **params})
        assert response.status_code == 200, response.text
        body = response.json()
        body.pop("as_of")
        out.append(body)
    return out


async def test_a_rebuilt_read_model_gives_the_same_figures(reach, keys):
    before = await answers(reach, keys)
    app = reach._transport.app
    async with app.state.sessions() as db:
        rows = [len((await db.exec(table.__table__.select())).all()) for table in READ_MODEL]
    # The service's own feed workers go on meanwhile, so they may apply the pages themselves.
    applied = await rebuild(app)
    assert set(applied) == {"identity", "scheduling"}
    async with app.state.sessions() as db:
        assert [len((await db.exec(table.__table__.select())).all())
                for table in READ_MODEL] == rows
    # The index notices the wound-back cursors at its next refresh (within a second).
    await app.state.reach_index.refresh()
    assert await answers(reach, keys) == before
    assert before[0]["total"] == 8


async def test_the_running_index_takes_in_a_rebuilt_read_model(reach, keys):
    """A read model gone wrong (rows changed behind the feeds' back, versions unchanged) and
    rebuilt: the index, which reads rows by version, still sees what the rebuild wrote."""
    before = await answers(reach, keys)
    app = reach._transport.app
    async with app.state.sessions() as db:
        await db.exec(update(Person).values(county="Nowhere"))
        await db.commit()
    await app.state.reach_index.rebuild()
    wrong = await answers(reach, keys)
    assert wrong[1]["total"] == 0  # nobody is in Alameda any more
    await rebuild(app)
    await app.state.reach_index.refresh()
    assert await answers(reach, keys) == before


def test_the_command_line_knows_the_command(capsys):
    try:
        main(["reach", "rebuild", "--help"])
    except SystemExit as stop:
        assert stop.code == 0
    assert "--url" in capsys.readouterr().out
