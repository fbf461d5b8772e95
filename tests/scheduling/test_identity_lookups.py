"""What scheduling asks identity, when, and what it makes of the answer (issue 7, holes 5, 12
and 13): authorization comes before any lookup, so a participant or partner learns nothing
about who is in Cascade; every id is quoted whole into identity's URLs; identity's answers
mean one thing everywhere; and no record points at a person or network that does not exist.

Identity here is the double of conftest.py, which records every request it gets; the whole
stack with the real identity is in test_identity_lookups_stack.py."""

from urllib.parse import quote

import pytest

from tests.scheduling.conftest import API, problem

NO_SESSION = "0000000000000000000000zzzz"
NO_EVENT = "0000000000000000000000zzzz"


@pytest.fixture
def known(directory):
    """Someone identity knows, with the email an oracle would be asked about."""
    return directory.person("known-person", full_name="Kim Known", email="kim@example.org")


def outsiders(api, keys) -> dict[str, dict]:
    """Token holders who run nothing here: a participant, a partner, staff of another network."""
    return {"participant": api.person(),
            "partner": keys.headers(kind="partner", sub="partner:acme", person_id=""),
            "other network": keys.headers(roles={api.network_of(): ["network_admin"]})}


class TestNoOracleBeforeAuthorization:
    """Hole 5: POST /registrations/forced with an email told any token holder whether the
    email is in Cascade, even for a session that does not exist."""

    async def test_a_forced_seat_by_email_tells_an_outsider_nothing(self, api, keys, directory,
                                                                    known):
        event = await api.event()
        session = await api.session(event["id"])
        directory.requests.clear()
        for who, headers in outsiders(api, keys).items():
            for session_id in (session["id"], NO_SESSION):
                answers = []
                for email in ("kim@example.org", "nobody@example.org"):
                    response = await api.client.post(
                        f"{API}/sessions/{session_id}/registrations/forced",
                        json={"email": email, "reason": "probe"}, headers=headers)
                    answers.append((response.status_code, response.json()["code"]))
                assert answers[0] == answers[1], who
                assert answers[0][0] in (401, 403, 404), who
        assert directory.requests == []  # identity was never asked

    async def test_staff_still_learn_whether_an_email_is_in_cascade(self, api, known):
        event = await api.event()
        session = await api.session(event["id"])
        url = f"{API}/sessions/{session['id']}/registrations/forced"
        seated = await api.client.post(url, json={"email": "kim@example.org", "reason": "r"},
                                       headers=api.leader)
        assert seated.status_code == 201, seated.text
        assert seated.json()["person_id"] == known
        [entry] = await api.roster(session["id"])
        assert (entry["person_name"], entry["person_email"]) == ("Kim Known", "kim@example.org")
        unknown = await api.client.post(url, json={"email": "nobody@example.org", "reason": "r"},
                                        headers=api.leader)
        assert problem(unknown, 422)["code"] == "unknown_person"

    async def test_signing_someone_else_up_asks_identity_only_for_those_who_may(
            self, api, keys, directory, known):
        event = await api.event()
        session = await api.session(event["id"])
        directory.requests.clear()
        for who, headers in outsiders(api, keys).items():
            for session_id in (session["id"], NO_SESSION):
                answers = {(r.status_code, r.json()["code"]) for r in [
                    await api.register(session_id, headers, person_id=person_id)
                    for person_id in (known, "no-such-person")]}
                assert len(answers) == 1 and answers.pop()[0] in (401, 403, 404), who
        assert directory.requests == []

    async def test_credit_requests_check_the_caller_before_the_district(self, api, keys,
                                                                       directory):
        directory.organizations["dist-1"] = {"id": "dist-1", "kind": "district"}
        event = await api.event()
        directory.requests.clear()
        for who, headers in outsiders(api, keys).items():
            for event_id in (event["id"], NO_EVENT):
                answers = {(r.status_code, r.json()["code"]) for r in [
                    await api.client.post(f"{API}/events/{event_id}/credit/requests",
                                          json={"district_id": district}, headers=headers)
                    for district in ("dist-1", api.network)]}  # a district, and not one
                assert len(answers) == 1 and answers.pop()[0] in (401, 403, 404), who
        assert directory.requests == []

    async def test_check_ins_and_cohorts_ask_identity_only_for_those_who_run_them(
            self, api, keys, directory, known):
        event = await api.event()
        session = await api.session(event["id"])
        admin = api.person(roles={api.network: ["network_admin"]})
        program = (await api.client.post(f"{API}/programs", headers=admin, json={
            "network_id": api.network, "name": "Phase 2", "starts_on": "2026-07-01",
            "ends_on": "2027-06-30"})).json()
        directory.requests.clear()
        for who, headers in outsiders(api, keys).items():
            for person_id in (known, "no-such-person"):
                checked_in = await api.client.post(
                    f"{API}/sessions/{session['id']}/attendance", json={"person_id": person_id},
                    headers=headers)
                enrolled = await api.client.post(
                    f"{API}/programs/{program['id']}/cohort", headers=headers,
                    json={"person_id": person_id, "program_year": "2026-27"})
                assert checked_in.status_code in (401, 403, 404), who
                assert enrolled.status_code in (401, 403, 404), who
        assert directory.requests == []

    async def test_a_sign_in_sheet_from_an_outsider_reaches_no_one(self, api, keys, directory,
                                                                  known):
        event = await api.event()
        session = await api.session(event["id"])
        sheet = "email,full_name,role,school,district,county\nkim@example.org,Kim,teacher,,,\n"
        directory.requests.clear()
        for who, headers in outsiders(api, keys).items():
            response = await api.client.post(
                f"{API}/sessions/{session['id']}/sign-in-sheet", content=sheet.encode(),
                headers={**headers, "Content-Type": "text/csv"})
            assert response.status_code in (401, 403, 404), who
        assert directory.requests == []


class TestIdsAreQuotedWhole:
    """Hole 12: ids were pasted raw into identity's URLs: a control character answered 500,
    and '#' or '?' cut the URL short (identity answered 307; scheduling said 503)."""

    @pytest.mark.parametrize("person_id", ["a\bb", "#", "a?b", "../organizations/x", "a/b",
                                           "..", "."])
    async def test_a_strange_person_id_is_an_unknown_person(self, api, directory, person_id):
        event = await api.event()
        session = await api.session(event["id"])
        directory.requests.clear()
        answers = [
            await api.register(session["id"], api.leader, person_id=person_id),
            await api.client.post(f"{API}/sessions/{session['id']}/attendance",
                                  json={"person_id": person_id}, headers=api.leader),
            await api.client.post(f"{API}/sessions/{session['id']}/registrations/forced",
                                  json={"person_id": person_id, "reason": "r"},
                                  headers=api.leader),
        ]
        assert [problem(a, 422)["code"] for a in answers] == ["unknown_person"] * 3
        # Each asked identity for that one person, the id quoted whole into one path segment.
        paths = {r.url.raw_path.decode() for r in directory.requests}
        quoted = {".": "%2E", "..": "%2E%2E"}.get(person_id, quote(person_id, safe=""))
        assert paths == {f"/api/identity/v1/people/{quoted}"}

    @pytest.mark.parametrize("person_id", ["a%08b", "%23", "a%3Fb", "%2E%2E"])
    async def test_a_strange_id_has_no_transcript(self, api, keys, person_id):
        root = keys.headers(admin=True)
        answer = await api.client.get(f"{API}/people/{person_id}/transcript", headers=root)
        assert problem(answer, 404)["code"] == "person_not_found"

    async def test_a_strange_district_is_not_a_district(self, api, keys):
        event = await api.event()
        root = keys.headers(admin=True)
        for district_id in ("a\bb", "#", "a?b"):
            answer = await api.client.post(f"{API}/events/{event['id']}/credit/approvals",
                                           json={"district_id": district_id, "hours": 1},
                                           headers=root)
            assert problem(answer, 422)["code"] == "not_a_district"


class TestIdentitysAnswers:
    """404 is "not found", another 4xx the request's own fault, and only a 5xx or no answer at
    all is identity being unavailable (503 with Retry-After)."""

    @pytest.mark.parametrize("status,expected", [
        (404, (422, "unknown_person")), (400, (422, "identity_refused")),
        (409, (422, "identity_refused")), (307, (503, "identity_unavailable")),
        (500, (503, "identity_unavailable")), (None, (503, "identity_unavailable")),
    ])
    async def test_each_answer_means_one_thing(self, api, directory, status, expected):
        event = await api.event()
        session = await api.session(event["id"])
        directory.failure = (status,)
        answers = [
            await api.register(session["id"], api.leader, person_id="someone"),
            await api.client.post(f"{API}/sessions/{session['id']}/attendance",
                                  json={"person_id": "someone"}, headers=api.leader),
        ]
        for answer in answers:
            assert (answer.status_code, problem(answer, expected[0])["code"]) == expected
            if expected[0] == 503:
                assert answer.headers["Retry-After"]
        assert await api.roster(session["id"]) == []


class TestRecordsThatPointAtNothing:
    """Hole 13: a staff sign-up, a check-in or a cohort entry for a person who does not exist,
    and an event or program in a network that does not exist, were all created."""

    async def test_no_one_is_checked_in_who_does_not_exist(self, api):
        event = await api.event()
        session = await api.session(event["id"])
        url = f"{API}/sessions/{session['id']}/attendance"
        refused = await api.client.post(url, json={"person_id": "no-such-attendee"},
                                        headers=api.leader)
        body = problem(refused, 422)
        assert body["code"] == "unknown_person"
        assert body["errors"][0]["loc"] == ["body", "person_id"]
        assert (await api.client.get(url, headers=api.leader)).json()["items"] == []
        assert [e for e in await api.feed() if e["topic"] == "attendance.recorded"] == []

    async def test_a_facilitator_checks_themselves_in_without_asking_identity(self, api,
                                                                              directory):
        event = await api.event()
        facilitator = api.new_person()
        session = await api.session(event["id"], facilitator_ids=[facilitator])
        del directory.people[facilitator]  # the token vouches for its own person
        directory.requests.clear()
        checked_in = await api.client.post(f"{API}/sessions/{session['id']}/attendance",
                                           json={"person_id": facilitator},
                                           headers=api.person(facilitator))
        assert checked_in.status_code == 201, checked_in.text
        assert directory.requests == []

    async def test_no_cohort_entry_for_someone_who_does_not_exist(self, api):
        admin = api.person(roles={api.network: ["network_admin"]})
        program = (await api.client.post(f"{API}/programs", headers=admin, json={
            "network_id": api.network, "name": "Phase 2", "starts_on": "2026-07-01",
            "ends_on": "2027-06-30"})).json()
        url = f"{API}/programs/{program['id']}/cohort"
        refused = await api.client.post(url, headers=admin, json={
            "person_id": "no-such-coach", "program_year": "2026-27", "role": "coach"})
        assert problem(refused, 422)["code"] == "unknown_person"
        assert (await api.client.get(url, headers=admin)).json()["items"] == []
        years = (await api.client.get(f"{API}/programs/{program['id']}/years",
                                      headers=admin)).json()["items"]
        assert [(y["leaders"], y["coaches"]) for y in years] == [(0, 0)]

    @pytest.mark.parametrize("network_id", ["no-such-network", "0", "district"])
    async def test_no_event_or_program_in_a_network_that_is_not_one(self, api, keys, directory,
                                                                    network_id):
        directory.organizations["district"] = {"id": "district", "kind": "district"}
        # A platform admin passes every role check; a district's coordinator holds a role
        # in the id they give: neither makes the id a network.
        for headers in (keys.headers(admin=True),
                        keys.headers(roles={network_id: ["network_admin", "coordinator"]})):
            event = await api.client.post(f"{API}/events", headers=headers, json={
                "network_id": network_id, "kind": "webinar", "title": "Nowhere",
                "grade_min": "K", "grade_max": "2", "timezone": "UTC"})
            program = await api.client.post(f"{API}/programs", headers=headers, json={
                "network_id": network_id, "name": "Nowhere", "starts_on": "2026-07-01",
                "ends_on": "2027-06-30"})
            for refused in (event, program):
                body = problem(refused, 422)
                assert body["code"] == "unknown_network"
                assert body["errors"][0]["loc"] == ["body", "network_id"]
        created = {e["topic"] for e in await api.feed()}
        assert not created & {"event.created", "program.created"}
