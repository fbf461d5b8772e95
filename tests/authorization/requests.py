"""One valid request per route, as every role sends it: its path's ids (A's objects), its query
and its body. A builder that uses its target up (a cancel, a delete, a decision) makes a fresh
one per request, so that no role's answer depends on who went before.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.reach.webhooks.models import WebhookDelivery
from tests.authorization.world import PASSWORD, World, unique


@dataclass
class Request:
    path: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] | None = None
    json: Any = None
    data: dict[str, str] | None = None  # a form, or a multipart form's fields with `files`
    files: dict[str, tuple] | None = None
    csv: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    # Whether the request names an object of network A (its path ids, or an id in its query or
    # body): network B's admin refused on it is a cross-network attempt. None: when it has path ids.
    names_network_a: bool | None = None

    def crosses_networks(self) -> bool:
        return bool(self.path) if self.names_network_a is None else self.names_network_a


Builder = Callable[[World, str], Awaitable[Request]]
BUILDERS: dict[str, Builder] = {}


def route(key: str):
    def register(builder: Builder) -> Builder:
        assert key not in BUILDERS, key
        BUILDERS[key] = builder
        return builder

    return register


def same(**fields) -> Builder:
    """A request that needs nothing fresh; fields may name World attributes by "w.<name>"."""
    async def build(w: World, role: str) -> Request:
        def resolve(value):
            if isinstance(value, str) and value.startswith("w."):
                return getattr(w, value[2:])
            if isinstance(value, dict):
                return {k: resolve(v) for k, v in value.items()}
            return value

        return Request(**{name: resolve(value) for name, value in fields.items()})

    return build


# The services' prefixes, short so that each route reads as its matrix key.
ID, S, E, R = "/api/identity/v1", "/api/scheduling/v1", "/api/evidence/v1", "/api/reach/v1"


def _window(w: World) -> dict[str, str]:
    """Whole months around today (partners ask for whole months)."""
    today = date.today()
    return {"network_id": w.network, "from": date(today.year - 1, 1, 1).isoformat(),
            "to": date(today.year + 1, 12, 31).isoformat()}


# -- identity: public routes ---------------------------------------------------------------------
route(f"GET {ID}/jwks.json")(same())


@route(f"POST {ID}/token")
async def _token(w: World, role: str) -> Request:
    return Request(data={"grant_type": "password", "username": w.email["participant"],
                         "password": PASSWORD})


@route(f"POST {ID}/accounts")
async def _sign_up(w: World, role: str) -> Request:
    return Request(json={"email": f"{unique('signup')}@matrix.test", "password": PASSWORD,
                         "full_name": "New Person"})


@route(f"POST {ID}/accounts/confirmations")
async def _confirm(w: World, role: str) -> Request:
    return Request(json={"token": await w.new_signup_link(), "password": PASSWORD})


@route(f"POST {ID}/password-resets")
async def _reset(w: World, role: str) -> Request:
    return Request(json={"email": w.email["participant"]})


@route(f"POST {ID}/password-resets/completions")
async def _complete_reset(w: World, role: str) -> Request:
    return Request(json={"token": await w.new_reset_link(), "password": "a-new-password-456"})


@route(f"POST {ID}/invitations/previews")
async def _preview(w: World, role: str) -> Request:
    return Request(json={"token": w.invitation_token})


@route(f"POST {ID}/invitations/acceptances")
async def _accept(w: World, role: str) -> Request:
    return Request(json={"token": await w.new_invitation_link(), "full_name": "Invited Person",
                         "password": PASSWORD})


@route(f"POST {ID}/token/revoke")
async def _sign_out(w: World, role: str) -> Request:
    return Request(data={"token": await w.new_refresh_token()})


# -- identity: the caller's own ----------------------------------------------------------------
route(f"GET {ID}/me")(same())
route(f"GET {ID}/me/sessions")(same())


@route(f"DELETE {ID}/me/sessions/{{session_id}}")
async def _end_session(w: World, role: str) -> Request:
    # The participant's second session: only its owner ends it from /me.
    return Request(path={"session_id": await w.new_login_session("participant")},
                   names_network_a=False)


@route(f"POST {ID}/me/password")
async def _change_password(w: World, role: str) -> Request:
    # The same password again: the caller's own token stays valid for the cells after it.
    password = w.password.get(role, PASSWORD)
    return Request(json={"current_password": password, "new_password": password})


# -- identity: organizations, people, memberships ------------------------------------------------
@route(f"POST {ID}/organizations")
async def _create_organization(w: World, role: str) -> Request:
    return Request(json={"name": unique("School"), "kind": "school", "parent_id": w.district},
                   names_network_a=False)


route(f"GET {ID}/organizations")(same())
route(f"GET {ID}/organizations/{{organization_id}}")(same(path={"organization_id": "w.network"}))
route(f"PATCH {ID}/organizations/{{organization_id}}")(same(
    path={"organization_id": "w.network"}, json={"county": "Alameda"}))


@route(f"POST {ID}/people")
async def _create_person(w: World, role: str) -> Request:
    return Request(json={"email": f"{unique('new')}@matrix.test", "full_name": "New Person",
                         "role": "teacher"})


route(f"GET {ID}/people")(same())


@route(f"POST {ID}/people/matches")
async def _match_person(w: World, role: str) -> Request:
    return Request(json={"email": f"{unique('match')}@matrix.test", "full_name": "Sheet Person",
                         "role": "teacher", "network_id": w.network}, names_network_a=True)


@route(f"POST {ID}/people/matches:batch")
async def _match_people(w: World, role: str) -> Request:
    return Request(json=[{"email": f"{unique('match')}@matrix.test", "full_name": "Sheet Person",
                          "role": "teacher", "network_id": w.network}],
                   headers={"Idempotency-Key": unique("key")}, names_network_a=True)


async def _participant(w: World, role: str) -> Request:
    return Request(path={"person_id": w.person["participant"]})


route(f"GET {ID}/people/{{person_id}}")(_participant)


@route(f"PATCH {ID}/people/{{person_id}}")
async def _update_person(w: World, role: str) -> Request:
    return Request(path={"person_id": w.person["participant"]},
                   json={"full_name": "Participant Person"})


@route(f"POST {ID}/organizations/{{organization_id}}/members")
async def _grant(w: World, role: str) -> Request:
    return Request(path={"organization_id": w.network},
                   json={"person_id": await w.new_person(), "role": "leader"})


route(f"GET {ID}/organizations/{{organization_id}}/members")(same(
    path={"organization_id": "w.network"}))


@route(f"DELETE {ID}/organizations/{{organization_id}}/members/{{membership_id}}")
async def _take_back(w: World, role: str) -> Request:
    return Request(path={"organization_id": w.network, "membership_id": await w.new_membership()})


route(f"PATCH {ID}/organizations/{{organization_id}}/members/{{membership_id}}")(same(
    path={"organization_id": "w.network", "membership_id": "w.membership"},
    json={"ends_on": "2099-06-30"}))


@route(f"POST {ID}/organizations/{{organization_id}}/invitations")
async def _invite(w: World, role: str) -> Request:
    return Request(path={"organization_id": w.network},
                   json={"email": f"{unique('invitee')}@matrix.test", "role": "member"})


route(f"GET {ID}/organizations/{{organization_id}}/invitations")(same(
    path={"organization_id": "w.network"}))
route(f"POST {ID}/organizations/{{organization_id}}/invitations/{{invitation_id}}/resend")(same(
    path={"organization_id": "w.network", "invitation_id": "w.invitation"}))


@route(f"DELETE {ID}/organizations/{{organization_id}}/invitations/{{invitation_id}}")
async def _withdraw(w: World, role: str) -> Request:
    return Request(path={"organization_id": w.network,
                         "invitation_id": (await w.new_invitation())["id"]})


route(f"POST {ID}/organizations/{{organization_id}}/api-keys")(same(
    path={"organization_id": "w.partner_org"}))
route(f"GET {ID}/organizations/{{organization_id}}/api-keys")(same(
    path={"organization_id": "w.partner_org"}))


@route(f"DELETE {ID}/api-keys/{{key_id}}")
async def _revoke_key(w: World, role: str) -> Request:
    return Request(path={"key_id": await w.new_api_key()})


@route(f"GET {ID}/audit")
async def _audit(w: World, role: str) -> Request:
    return Request(params={"organization_id": w.network}, names_network_a=True)


@route(f"POST {ID}/people/{{person_id}}/sessions/revoke")
async def _revoke_sessions(w: World, role: str) -> Request:
    return Request(path={"person_id": await w.new_member_with_session()})


route(f"GET {ID}/sessions/revoked")(same())
route(f"GET {ID}/feed")(same())

# -- scheduling: events and sessions -----------------------------------------------------------


@route(f"POST {S}/events")
async def _create_event(w: World, role: str) -> Request:
    return Request(json=w.event_body(), names_network_a=True)


route(f"GET {S}/events")(same())
route(f"GET {S}/events/counties")(same())
route(f"GET {S}/events/{{event_id}}")(same(path={"event_id": "w.event"}))
route(f"PATCH {S}/events/{{event_id}}")(same(path={"event_id": "w.event"},
                                            json={"venue": "County office"}))


@route(f"POST {S}/events/{{event_id}}/slots")
async def _add_slot(w: World, role: str) -> Request:
    body = w.session_body()
    return Request(path={"event_id": w.conference},
                   json={"label": unique("Slot"), "starts_at": body["starts_at"],
                         "ends_at": body["ends_at"]})


route(f"GET {S}/events/{{event_id}}/slots")(same(path={"event_id": "w.conference"}))
route(f"GET {S}/events/{{event_id}}/calendar.ics")(same(path={"event_id": "w.event"}))


@route(f"POST {S}/events/{{event_id}}/sessions")
async def _add_session(w: World, role: str) -> Request:
    return Request(path={"event_id": w.event}, json=w.session_body())


route(f"GET {S}/sessions/{{session_id}}")(same(path={"session_id": "w.session"}))
route(f"PATCH {S}/sessions/{{session_id}}")(same(path={"session_id": "w.session"},
                                                json={"room": "Room 4"}))


@route(f"POST {S}/events/{{event_id}}/sessions/series")
async def _add_series(w: World, role: str) -> Request:
    return Request(path={"event_id": w.event}, json={
        "title": unique("Series"), "first_date": (date.today() + timedelta(days=120)).isoformat(),
        "start_time": "15:30", "end_time": "17:00", "count": 2, "capacity": 20})


@route(f"POST {S}/sessions/{{session_id}}/cancel")
async def _cancel_session(w: World, role: str) -> Request:
    return Request(path={"session_id": await w.new_session()})


# -- scheduling: registrations, rosters, attendance ---------------------------------------------
@route(f"POST {S}/sessions/{{session_id}}/registrations")
async def _register(w: World, role: str) -> Request:
    # Someone else, by person_id: the event's staff do that; anyone else registers themself.
    return Request(path={"session_id": w.session}, json={"person_id": await w.new_person()})


route(f"GET {S}/sessions/{{session_id}}/registrations")(same(path={"session_id": "w.session"}))


@route(f"GET {S}/registrations/{{registration_id}}")
async def _registration(w: World, role: str) -> Request:
    return Request(path={"registration_id": w.registration["id"]})


@route(f"DELETE {S}/registrations/{{registration_id}}")
async def _cancel_registration(w: World, role: str) -> Request:
    return Request(path={"registration_id": (await w.new_registration())["id"]})


route(f"GET {S}/me/registrations")(same())


@route(f"POST {S}/sessions/{{session_id}}/registrations/forced")
async def _force(w: World, role: str) -> Request:
    return Request(path={"session_id": w.session},
                   json={"person_id": await w.new_person(), "reason": "Needs the credit."})


@route(f"POST {S}/registrations/{{registration_id}}/move")
async def _move(w: World, role: str) -> Request:
    return Request(path={"registration_id": (await w.new_registration())["id"]},
                   json={"session_id": await w.new_session(), "reason": "Asked to move."})


route(f"GET {S}/events/{{event_id}}/audit")(same(path={"event_id": "w.event"}))


@route(f"POST {S}/sessions/{{session_id}}/attendance")
async def _check_in(w: World, role: str) -> Request:
    return Request(path={"session_id": w.session},
                   json={"person_id": await w.new_person(), "source": "check_in"})


@route(f"POST {S}/sessions/{{session_id}}/attendance:batch")
async def _check_in_many(w: World, role: str) -> Request:
    return Request(path={"session_id": w.session},
                   json={"person_ids": [await w.new_person()], "source": "check_in"},
                   headers={"Idempotency-Key": unique("key")})


route(f"GET {S}/sessions/{{session_id}}/attendance")(same(path={"session_id": "w.session"}))


@route(f"GET {S}/calendars/{{person_id}}.ics")
async def _private_calendar(w: World, role: str) -> Request:
    token = w.calendar_url.split("token=", 1)[1]
    return Request(path={"person_id": w.person["participant"]}, params={"token": token})


route(f"GET {S}/me/calendar")(same())


@route(f"POST {S}/sessions/{{session_id}}/sign-in-sheet")
async def _sign_in_sheet(w: World, role: str) -> Request:
    return Request(path={"session_id": w.session}, csv=w.sheet())


route(f"GET {S}/jobs/{{job_id}}")(same(path={"job_id": "w.sheet_job"}))

# -- scheduling: programs and cohorts --------------------------------------------------------


@route(f"POST {S}/programs")
async def _create_program(w: World, role: str) -> Request:
    year = w.program_year
    return Request(json={"network_id": w.network, "name": unique("Program"),
                         "starts_on": f"{year[:4]}-07-01", "ends_on": f"{int(year[:4]) + 1}-06-30"},
                   names_network_a=True)


route(f"GET {S}/programs")(same(params={"network_id": "w.network"}, names_network_a=True))
route(f"GET {S}/programs/{{program_id}}")(same(path={"program_id": "w.program"}))
route(f"PATCH {S}/programs/{{program_id}}")(same(path={"program_id": "w.program"},
                                                json={"description": "Leaders lead."}))


@route(f"POST {S}/programs/{{program_id}}/cohort")
async def _add_to_cohort(w: World, role: str) -> Request:
    return Request(path={"program_id": w.program}, json={
        "person_id": await w.new_person(), "program_year": w.program_year, "role": "leader"})


route(f"GET {S}/programs/{{program_id}}/cohort")(same(path={"program_id": "w.program"}))


@route(f"DELETE {S}/programs/{{program_id}}/cohort/{{entry_id}}")
async def _remove_from_cohort(w: World, role: str) -> Request:
    return Request(path={"program_id": w.program, "entry_id": await w.new_cohort_entry()})


route(f"GET {S}/programs/{{program_id}}/years")(same(path={"program_id": "w.program"}))

# -- scheduling: PD credit ------------------------------------------------------------------
route(f"POST {S}/events/{{event_id}}/credit/requests")(same(
    path={"event_id": "w.event"}, json={"district_id": "w.district", "note": "Please."}))
route(f"POST {S}/events/{{event_id}}/credit/approvals")(same(
    path={"event_id": "w.event"}, json={"district_id": "w.district", "hours": 3}))


@route(f"POST {S}/events/{{event_id}}/credit/revocations")
async def _revoke_credit(w: World, role: str) -> Request:
    return Request(path={"event_id": await w.new_approval()},
                   json={"district_id": w.district, "note": "No sign-in sheet."})


route(f"GET {S}/events/{{event_id}}/credit")(same(path={"event_id": "w.event"}))
route(f"GET {S}/credit/approvals")(same())
route(f"GET {S}/me/transcript")(same())
route(f"GET {S}/people/{{person_id}}/transcript")(_participant)

# -- scheduling: polls --------------------------------------------------------------------------


@route(f"POST {S}/events/{{event_id}}/polls")
async def _create_poll(w: World, role: str) -> Request:
    return Request(path={"event_id": w.event}, json=w.poll_body())


route(f"GET {S}/events/{{event_id}}/polls")(same(path={"event_id": "w.event"}))
route(f"GET {S}/polls/{{poll_id}}")(same(path={"poll_id": "w.poll"}))
route(f"GET {S}/polls/{{poll_id}}/invitees")(same(path={"poll_id": "w.poll"}))
route(f"POST {S}/polls/{{poll_id}}/invitees/{{invitee_id}}/link")(same(
    path={"poll_id": "w.poll", "invitee_id": "w.renewed_invitee"}))


@route(f"POST {S}/polls/{{poll_id}}/decision")
async def _decide(w: World, role: str) -> Request:
    poll = await w.new_poll()
    options = (await w.call("GET", f"{S}/polls/{poll['id']}"))["options"]
    return Request(path={"poll_id": poll["id"]},
                   json={"option_id": options[0]["id"], "capacity": 20})


@route(f"GET {S}/poll-invitation")
async def _poll_invitation(w: World, role: str) -> Request:
    return Request(headers={"Poll-Token": w.poll_token})


@route(f"PUT {S}/poll-invitation/answers")
async def _answer_poll(w: World, role: str) -> Request:
    return Request(headers={"Poll-Token": w.poll_token},
                   json={"answers": [{"option_id": w.poll_options[0], "choice": "yes"}]})


# -- scheduling: event imports, messages, feed --------------------------------------------------
@route(f"POST {S}/networks/{{network_id}}/event-imports/preview")
@route(f"POST {S}/networks/{{network_id}}/event-imports")
async def _import_events(w: World, role: str) -> Request:
    return Request(path={"network_id": w.network}, csv=w.events_sheet())


route(f"GET {S}/event-imports/{{job_id}}")(same(path={"job_id": "w.import_job"}))
route(f"GET {S}/me/messages")(same())
route(f"GET {S}/messages")(same())
route(f"GET {S}/feed")(same())

# -- evidence -----------------------------------------------------------------------------------
route(f"GET {E}/feed")(same())


@route(f"POST {E}/artifacts")
async def _upload(w: World, role: str) -> Request:
    return Request(data={"kind": "handout", "title": unique("Handout"), "session_id": w.session},
                   files={"file": ("handout.txt", b"A handout", "text/plain")},
                   names_network_a=True)


route(f"GET {E}/artifacts")(same(params={"session_id": "w.session"}, names_network_a=True))
route(f"GET {E}/artifacts/{{artifact_id}}")(same(path={"artifact_id": "w.artifact"}))
route(f"GET {E}/artifacts/{{artifact_id}}/content")(same(path={"artifact_id": "w.artifact"}))

# -- reach ---------------------------------------------------------------------------------------
route(f"GET {R}/feed")(same())


@route(f"GET {R}/summary")
async def _summary(w: World, role: str) -> Request:
    return Request(params=_window(w), names_network_a=True)


@route(f"GET {R}/breakdown")
async def _breakdown(w: World, role: str) -> Request:
    return Request(params={**_window(w), "dimension": "district"}, names_network_a=True)


@route(f"GET {R}/cascade")
async def _cascade(w: World, role: str) -> Request:
    return Request(params=_window(w), names_network_a=True)


@route(f"GET {R}/growth")
async def _growth(w: World, role: str) -> Request:
    return Request(params=_window(w), names_network_a=True)


@route(f"GET {R}/export.csv")
async def _export(w: World, role: str) -> Request:
    return Request(params={**_window(w), "table": "breakdown", "dimension": "school_year"},
                   names_network_a=True)


# Webhooks: a network admin's. Each role's delete and redelivery gets a fresh subscription (and a
# delivery that had failed, written into reach's own table as if its attempts had run out).
def _subscription(w: World) -> dict:
    return {"network_id": w.network, "url": "https://partner.example/hooks",
            "events": ["month.final"]}


async def _webhook(w: World) -> str:
    return (await w.post(f"{R}/webhooks", _subscription(w)))["id"]


async def _shared_webhook(w: World) -> str:
    if not getattr(w, "webhook", None):
        w.webhook = await _webhook(w)
    return w.webhook


@route(f"POST {R}/webhooks")
async def _create_webhook(w: World, role: str) -> Request:
    return Request(json=_subscription(w), names_network_a=True)


route(f"GET {R}/webhooks")(same(params={"network_id": "w.network"}, names_network_a=True))


@route(f"GET {R}/webhooks/{{webhook_id}}")
async def _get_webhook(w: World, role: str) -> Request:
    return Request(path={"webhook_id": await _shared_webhook(w)})


@route(f"DELETE {R}/webhooks/{{webhook_id}}")
async def _delete_webhook(w: World, role: str) -> Request:
    return Request(path={"webhook_id": await _webhook(w)})


@route(f"GET {R}/webhooks/{{webhook_id}}/deliveries")
async def _webhook_deliveries(w: World, role: str) -> Request:
    return Request(path={"webhook_id": await _shared_webhook(w)})


@route(f"POST {R}/webhooks/{{webhook_id}}/deliveries/{{delivery_id}}:redeliver")
async def _redeliver(w: World, role: str) -> Request:
    webhook_id = await _webhook(w)
    delivery = WebhookDelivery(subscription_id=webhook_id, network_id=w.network,
                               event_type="month.final", month="2026-01", status="failed",
                               attempts=6, next_attempt_at=None)
    async with w.stack.apps["reach"].state.sessions() as db:
        db.add(delivery)
        await db.commit()
    return Request(path={"webhook_id": webhook_id, "delivery_id": delivery.id})
