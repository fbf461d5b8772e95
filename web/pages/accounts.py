"""The links Cascade mails about an account: confirming a sign-up, and resetting a forgotten
password (asked for here too). Every link is single-use; one that no longer works shows why."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.auth import browser_address, browser_device, sign_in
from web.clients import ApiError
from web.deps import ClientsDep
from web.forms import api_field_errors
from web.pages.auth import MIN_PASSWORD_LENGTH
from web.rendering import flash, render, see_other

router = APIRouter()


def link_gone(request: Request) -> Response:
    return render(request, "auth/link_gone.html", status_code=404)


def dead_link(exc: ApiError) -> bool:
    """The link's token opens nothing: unknown, used, expired (404), or not even a token (422)."""
    return exc.status == 404 or (exc.status == 422 and any(e.field == "token"
                                                           for e in exc.errors))


def refused(exc: ApiError, fields: tuple[str, ...]) -> dict[str, str]:
    if exc.unavailable:
        raise exc
    return api_field_errors(exc, fields=fields)


# --- confirming a sign-up ------------------------------------------------------------------

@router.get("/verify/{token}")
async def verify_page(request: Request, token: str) -> Response:
    return render(request, "auth/verify.html", {"token": token, "errors": {}})


@router.post("/verify/{token}")
async def verify(request: Request, token: str, clients: ClientsDep,
                 password: Annotated[str, Form()] = "") -> Response:
    errors: dict[str, str] = {}
    if not password:
        # S105: a message for the password field, not a password.
        errors["password"] = "Enter the password you chose when signing up."  # noqa: S105
    else:
        try:
            confirmed = await clients.identity.confirm_account(
                token=token, password=password, client_address=browser_address(request))
        except ApiError as exc:
            if dead_link(exc):
                return link_gone(request)
            errors = ({"password": "That is not the password you chose when signing up."}
                      if exc.status == 403 else refused(exc, ("password",)))
        else:
            answer = await clients.identity.token(email=confirmed.person.email or "",
                                                  password=password,
                                                  device=browser_device(request))
            sign_in(request, answer)
            flash(request, f"Your email is confirmed. Welcome to Cascade, "
                           f"{confirmed.person.full_name}.")
            return see_other(request, "/", full_reload=True)
    return render(request, "auth/verify.html", {"token": token, "errors": errors},
                  status_code=422)


# --- a forgotten password ------------------------------------------------------------------

@router.get("/forgot-password")
async def forgot_page(request: Request) -> Response:
    return render(request, "auth/forgot.html", {"values": {}, "errors": {}})


@router.post("/forgot-password")
async def forgot(request: Request, clients: ClientsDep,
                 email: Annotated[str, Form()] = "") -> Response:
    values = {"email": email.strip()}
    errors: dict[str, str] = {}
    if "@" not in values["email"]:
        errors["email"] = "Enter the email you sign in with."
    else:
        try:
            await clients.identity.request_password_reset(
                email=values["email"], client_address=browser_address(request))
        except ApiError as exc:
            errors = refused(exc, ("email",))
        else:
            return render(request, "auth/check_mail.html", {"email": values["email"],
                                                            "purpose": "reset"})
    return render(request, "auth/forgot.html", {"values": values, "errors": errors},
                  status_code=422)


@router.get("/reset-password/{token}")
async def reset_page(request: Request, token: str) -> Response:
    return render(request, "auth/reset.html", {"token": token, "errors": {}})


@router.post("/reset-password/{token}")
async def reset(request: Request, token: str, clients: ClientsDep,
                password: Annotated[str, Form()] = "",
                confirm: Annotated[str, Form()] = "") -> Response:
    errors: dict[str, str] = {}
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Use at least {MIN_PASSWORD_LENGTH} characters."
    elif confirm != password:
        errors["confirm"] = "The two passwords differ."
    else:
        try:
            await clients.identity.reset_password(token=token, password=password)
        except ApiError as exc:
            if dead_link(exc):
                return link_gone(request)
            errors = refused(exc, ("password",))
        else:
            flash(request, "Your password is changed. Sign in with the new one.")
            return see_other(request, "/login")
    return render(request, "auth/reset.html", {"token": token, "errors": errors},
                  status_code=422)
