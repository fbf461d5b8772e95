"""Your account: the sessions signed in as you (end any of them) and a password change."""

from typing import Annotated

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from web.auth import User, UserDep, end_session
from web.clients import ApiError, Clients
from web.clients.identity import LoginSession
from web.deps import ClientsDep
from web.forms import api_field_errors
from web.pages.auth import MIN_PASSWORD_LENGTH
from web.rendering import flash, render, see_other

router = APIRouter()

PASSWORD_FIELDS = ("current_password", "new_password", "confirm_password")
SessionId = Annotated[str, Path(max_length=26)]

BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"),
            ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
           ("Windows", "Windows"), ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"),
           ("Linux", "Linux"))


def device_label(user_agent: str | None) -> str:
    """"Firefox on Linux" from a User-Agent; the raw string is shown beside it."""
    if not user_agent:
        return "Unknown device"
    browser = next((name for mark, name in BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or "Other client"


def _sessions_context(sessions: list[LoginSession]) -> dict:
    sessions = sorted(sessions, key=lambda s: not s.current)  # this device first
    return {"sessions": [(s, device_label(s.user_agent)) for s in sessions],
            "others": sum(1 for s in sessions if not s.current)}


@router.get("/account/sessions")
async def list_my_sessions(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    sessions = await clients.identity.my_sessions(user.token)
    response = render(request, "account/sessions.html", _sessions_context(sessions))
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/account/sessions/{session_id}/end")
async def end_my_session(request: Request, clients: ClientsDep, user: UserDep,
                         session_id: SessionId) -> Response:
    if session_id == user.session_id:
        await end_session(request)
        flash(request, "You are signed out.")
        return see_other(request, "/login", full_reload=True)
    await _end(request, clients, user, session_id)
    flash(request, "That session is signed out.")
    return see_other(request, "/account/sessions")


@router.post("/account/sessions/end-others")
async def end_my_other_sessions(request: Request, clients: ClientsDep, user: UserDep
                                ) -> Response:
    ended = 0
    for session in await clients.identity.my_sessions(user.token):
        if session.current or session.id == user.session_id:
            continue
        ended += await _end(request, clients, user, session.id)
    flash(request, f"Ended {ended} other {'session' if ended == 1 else 'sessions'}.")
    return see_other(request, "/account/sessions")


async def _end(request: Request, clients: Clients, user: User, session_id: str) -> int:
    """Ends one of the user's other sessions, here too (this process forgets its token at
    once); 1 if it ended it, 0 if it had ended meanwhile (what the person wanted anyway)."""
    try:
        await clients.identity.end_my_session(user.token, session_id)
    except ApiError as exc:
        if exc.status != 404:
            raise
        return 0
    finally:
        request.app.state.access_tokens.drop_session(session_id)
    return 1


@router.get("/account/password")
async def password_page(request: Request, user: UserDep) -> Response:
    return render(request, "account/password.html", {"errors": {}})


@router.post("/account/password")
async def change_password(
    request: Request, clients: ClientsDep, user: UserDep,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> Response:
    # S105 below: messages for the password fields, not passwords.
    errors: dict[str, str] = {}
    if not current_password:
        errors["current_password"] = "Enter your current password."  # noqa: S105
    if len(new_password) < MIN_PASSWORD_LENGTH:
        errors["new_password"] = f"Use at least {MIN_PASSWORD_LENGTH} characters."
    elif confirm_password != new_password:
        errors["confirm_password"] = "This does not match the new password."  # noqa: S105
    if not errors:
        try:
            ended = await clients.identity.change_password(
                user.token, current_password=current_password, new_password=new_password)
        except ApiError as exc:
            if exc.unavailable or exc.status not in (400, 422):
                raise
            errors.update(api_field_errors(exc, fields=PASSWORD_FIELDS))
        else:
            if user.account_id:
                request.app.state.access_tokens.drop_account(
                    user.account_id, except_session_id=user.session_id)
            others = f" {ended} other {'session was' if ended == 1 else 'sessions were'} " \
                     "signed out." if ended else ""
            flash(request, "Your password is changed." + others)
            return see_other(request, "/account/sessions")
    return render(request, "account/password.html", {"errors": errors}, status_code=422)



