"""The demo network `make run` loads on first start, loaded through the public API, gives the
reach figures its story promises."""

from services.demo import PASSWORD, ROOT_EMAIL, DemoLoader
from tests.support.stack import InProcessStack, bearer, eventually


async def test_the_demo_network_reaches_as_its_story_says(database_urls, tmp_path):
    async with InProcessStack(database_urls, var_dir=tmp_path) as stack:
        await stack.create_admin(ROOT_EMAIL, PASSWORD)
        await DemoLoader(stack.client, stack.create_account).load()

        admin = await stack.token("admin@demo.cascade.test", PASSWORD)
        me = (await stack.client.get("/api/identity/v1/me", headers=bearer(admin))).json()
        network_id = me["memberships"][0]["organization_id"]

        async def summary():
            response = await stack.client.get(
                "/api/reach/v1/summary", headers=bearer(admin),
                params={"network_id": network_id, "from": "2000-01-01", "to": "2100-12-31"})
            body = response.json()
            return body if body.get("indirect") == 9 and body.get("conference") == 18 else None

        figures = await eventually(summary, timeout=30)
        assert (figures["leaders"], figures["direct"], figures["direct_returned"]) == (3, 39, 27)
        assert figures["total"] == 39 + 18 + 9

        teacher = await stack.token("teacher@demo.cascade.test", PASSWORD)
        catalog = await stack.client.get("/api/scheduling/v1/events", headers=bearer(teacher),
                                         params={"q": "NGSS storylines"})
        [upcoming] = catalog.json()["items"]
        assert upcoming["sessions"][0]["starts_at"] > figures["as_of"]  # still to come

        # What the other demo logins find when they sign in.
        transcript = (await stack.client.get("/api/scheduling/v1/me/transcript",
                                             headers=bearer(teacher))).json()
        assert transcript["total_hours"] == 6  # both sessions of the approved writing series
        mail = (await stack.client.get("/api/scheduling/v1/me/messages",
                                       headers=bearer(teacher))).json()["items"]
        subjects = {m["subject"] for m in mail}
        assert "You're confirmed: NGSS storylines in middle school science: Session I" in subjects
        # Past sessions send nothing; the upcoming one and the leader's poll do.
        assert "Which times work for you? Session III: sharing student work" in subjects
        assert len(mail) == 2 and not any("Argument writing" in s for s in subjects)
        coordinator = await stack.token("coordinator@demo.cascade.test", PASSWORD)
        queue = (await stack.client.get("/api/scheduling/v1/credit/approvals",
                                        headers=bearer(coordinator),
                                        params={"status": "pending"})).json()["items"]
        assert [item["event"]["title"] for item in queue] == [
            "NGSS storylines in middle school science"]
        programs = (await stack.client.get("/api/scheduling/v1/programs", headers=bearer(admin),
                                           params={"network_id": network_id})).json()["items"]
        assert [p["name"] for p in programs] == ["Teacher Leadership Phase 2"]

        # Hole 1 as found on the demo: leader2 has a person and the leader role but no
        # account; signing up with that email made the newcomer that leader.
        async def sign_up(email: str):
            return await stack.client.post("/api/identity/v1/accounts", json={
                "email": email, "password": "attacker-password", "full_name": "Mallory"})

        taken, fresh = await sign_up("leader2@demo.cascade.test"), await sign_up(
            "mallory@elsewhere.example")
        assert (taken.status_code, taken.json()) == (fresh.status_code, fresh.json())
        assert taken.status_code == 202
        refused = await stack.client.post("/api/identity/v1/token", data={
            "grant_type": "password", "username": "leader2@demo.cascade.test",
            "password": "attacker-password"})
        assert refused.status_code == 401  # no account: no roles, no rosters, no mailbox

