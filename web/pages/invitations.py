"""Invitations: a network admin invites an address to a role (and resends or withdraws it);
the invited person accepts through the mailed link, by signing in or by signing up. Web checks
the role only to shape the pages; identity decides again on every write."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.auth import (
    OptionalUserDep,
    User,
    UserDep,
    browser_address,
    browser_device,
    sign_in,
)
from web.clients import ApiError, Clients
from web.clients.identity import InvitationPreview
from web.deps import ClientsDep
from web.networks import networks_where
from web.pages.accounts import dead_link, link_gone, refused
from web.pages.auth import MIN_PASSWORD_LENGTH
from web.pages.events import form_values
from web.rendering import flash, render, see_other

router = APIRouter()
ADMIN_ROLES = ("network_admin",)
ROLES = [("leader", "Leader"), ("coordinator", "Coordinator"), ("analyst", "Analyst"),
         ("network_admin", "Network admin"), ("member", "Member")]
ROLE_NAMES = dict(ROLES)
INVITE_FIELDS = ("email", "role", "starts_on", "ends_on")


# --- the network admin's list --------------------------------------------------------------

async def list_context(clients: Clients, user: User, network_id: str, values: dict,
                       errors: dict) -> dict:
    networks = await networks_where(clients, user, ADMIN_ROLES)
    network = next((n for n in networks if n.id == network_id), networks[0] if networks else None)
    if network is None:
        raise ApiError(403, "forbidden", "Only a network's admins invite people to it.")
    invitations = await clients.identity.invitations(user.token, network.id)
    values.setdefault("role", "leader")
    return {"networks": networks, "network": network, "invitations": invitations,
            "values": values, "errors": errors, "roles": ROLES, "role_names": ROLE_NAMES}


@router.get("/manage/invitations")
async def list_invitations(request: Request, clients: ClientsDep, user: UserDep,
                           network_id: str = "") -> Response:
    context = await list_context(clients, user, network_id, {}, {})
    return render(request, "invitations/index.html", context)


def parse_invitation(values: dict) -> tuple[dict, dict[str, str]]:
    errors: dict[str, str] = {}
    email = values.get("email", "").strip()
    if "@" not in email:
        errors["email"] = "Enter an email address like name@school.org."
    if values.get("role") not in ROLE_NAMES:
        errors["role"] = "Choose a role."
    body: dict = {"email": email, "role": values.get("role")}
    for name in ("starts_on", "ends_on"):
        raw = values.get(name, "").strip()
        if not raw:
            continue
        try:
            body[name] = date.fromisoformat(raw).isoformat()
        except ValueError:
            errors[name] = "Enter a date like 2026-07-01."
    if "starts_on" in body and "ends_on" in body and body["ends_on"] < body["starts_on"]:
        errors["ends_on"] = "The end must not be before the start."
    return body, errors


@router.post("/manage/invitations")
async def create_invitation(request: Request, clients: ClientsDep, user: UserDep) -> Response:
    values = form_values(await request.form())
    network_id = values.get("network_id", "")
    body, errors = parse_invitation(values)
    if not errors:
        try:
            await clients.identity.invite(user.token, network_id, body)
        except ApiError as exc:
            if exc.status in (401, 403, 404):
                raise
            errors = refused(exc, INVITE_FIELDS)
        else:
            flash(request, f"Invitation mailed to {body['email']}.")
            return see_other(request, f"/manage/invitations?network_id={network_id}")
    context = await list_context(clients, user, network_id, values, errors)
    return render(request, "invitations/index.html", context, status_code=422,
                  block="invite_form")


@router.post("/manage/invitations/{invitation_id}/{action}")
async def change_invitation(request: Request, invitation_id: str, action: str,
                            clients: ClientsDep, user: UserDep,
                            network_id: Annotated[str, Form()] = "") -> Response:
    """resend (a new link; the earlier one stops working) or withdraw."""
    if action == "resend":
        await clients.identity.resend_invitation(user.token, network_id, invitation_id)
        flash(request, "A new link is on its way; the earlier one no longer works.")
    elif action == "withdraw":
        await clients.identity.withdraw_invitation(user.token, network_id, invitation_id)
        flash(request, "The invitation is withdrawn; its link no longer works.")
    else:
        raise ApiError(404, "not_found", "There is nothing here.")
    return see_other(request, f"/manage/invitations?network_id={network_id}")


# --- accepting, from the mailed link -------------------------------------------------------

def accept_context(preview: InvitationPreview, token: str, user: User | None, values: dict,
                   errors: dict) -> dict:
    signed_in_as_invitee = user is not None and user.email.lower() == preview.email
    return {"invitation": preview, "token": token, "values": values, "errors": errors,
            "role_name": ROLE_NAMES.get(preview.role, preview.role),
            "signed_in_as_invitee": signed_in_as_invitee}


async def preview_of(clients: Clients, token: str) -> InvitationPreview | None:
    """What the link offers; None when it opens nothing (any more)."""
    try:
        return await clients.identity.invitation_preview(token=token)
    except ApiError as exc:
        if dead_link(exc):
            return None
        raise


@router.get("/invitations/{token}")
async def accept_page(request: Request, token: str, clients: ClientsDep,
                      user: OptionalUserDep) -> Response:
    preview = await preview_of(clients, token)
    if preview is None:
        return link_gone(request)
    return render(request, "invitations/accept.html",
                  accept_context(preview, token, user, {}, {}))


@router.post("/invitations/{token}")
async def accept(request: Request, token: str, clients: ClientsDep, user: OptionalUserDep,
                 password: Annotated[str, Form()] = "",
                 full_name: Annotated[str, Form()] = "") -> Response:
    preview = await preview_of(clients, token)
    if preview is None:
        return link_gone(request)
    context = accept_context(preview, token, user, {"full_name": full_name.strip()}, {})
    errors = context["errors"]
    if not context["signed_in_as_invitee"]:
        if not preview.has_account and not context["values"]["full_name"]:
            errors["full_name"] = "Enter your name."
        if not preview.has_account and len(password) < MIN_PASSWORD_LENGTH:
            errors["password"] = f"Use at least {MIN_PASSWORD_LENGTH} characters."
        elif not password:
            errors["password"] = "Enter your password."  # noqa: S105 (a message, not a password)
    if not errors:
        try:
            address = browser_address(request)
            if context["signed_in_as_invitee"]:
                await clients.identity.accept_invitation(token=token, bearer=user.token,
                                                         client_address=address)
            else:
                await clients.identity.accept_invitation(
                    token=token, client_address=address, password=password,
                    full_name=None if preview.has_account else context["values"]["full_name"])
        except ApiError as exc:
            if dead_link(exc):
                return link_gone(request)
            errors.update({"password": "That email and password do not match."}
                          if exc.status == 403 else refused(exc, ("full_name", "password")))
        else:
            joined = f"You joined {preview.organization_name} as {context['role_name'].lower()}."
            if password:
                # Signed in as the invitee, with a token that holds the new role.
                answer = await clients.identity.token(email=preview.email, password=password,
                                                      device=browser_device(request))
                sign_in(request, answer)
            else:
                joined += " Sign out and in again to use the new role."
            flash(request, joined)
            return see_other(request, "/", full_reload=True)
    return render(request, "invitations/accept.html", context, status_code=422)
