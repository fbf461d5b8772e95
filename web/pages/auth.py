"""Sign in, sign up, sign out."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from web.auth import browser_address, browser_device, end_session, safe_next, sign_in
from web.clients import ApiError
from web.deps import ClientsDep
from web.forms import api_field_errors
from web.rendering import flash, render, see_other

router = APIRouter()

MIN_PASSWORD_LENGTH = 10  # identity's rule; checked here too for an answer without a round trip


@router.get("/login")
async def login_page(request: Request, next: str = "/") -> Response:
    return render(request, "auth/login.html", {"next": safe_next(next), "values": {}, "errors": {}})


@router.post("/login")
async def login(
    request: Request,
    clients: ClientsDep,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    values = {"email": email.strip()}
    errors: dict[str, str] = {}
    if not values["email"]:
        errors["email"] = "Enter your email."
    if not password:
        errors["password"] = "Enter your password."  # noqa: S105 (a message, not a password)
    if not errors:
        try:
            answer = await clients.identity.token(email=values["email"], password=password,
                                                  device=browser_device(request))
        except ApiError as exc:
            if exc.unavailable:
                raise
            errors["_form"] = ("Too many sign-in attempts for this email. Wait a few minutes and"
                               " try again."
                               if exc.status == 429 else "That email and password do not match.")
        else:
            sign_in(request, answer)
            # A full reload: the session, and so the CSRF token on <body>, just changed.
            return see_other(request, safe_next(next), full_reload=True)
    return render(request, "auth/login.html",
                  {"next": safe_next(next), "values": values, "errors": errors}, status_code=422)


@router.get("/signup")
async def signup_page(request: Request, next: str = "/") -> Response:
    return render(request, "auth/signup.html",
                  {"next": safe_next(next), "values": {}, "errors": {}})


@router.post("/signup")
async def signup(
    request: Request,
    clients: ClientsDep,
    full_name: Annotated[str, Form()] = "",
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    values = {"full_name": full_name.strip(), "email": email.strip()}
    errors: dict[str, str] = {}
    if not values["full_name"]:
        errors["full_name"] = "Enter your name."
    if "@" not in values["email"]:
        errors["email"] = "Enter an email address like name@school.org."
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if not errors:
        try:
            await clients.identity.create_account(
                email=values["email"], password=password, full_name=values["full_name"],
                client_address=browser_address(request),
            )
        except ApiError as exc:
            if exc.unavailable:
                raise
            errors.update(api_field_errors(exc, fields=("full_name", "email", "password")))
        else:
            # Nothing to sign in to until the mailed link is opened (the same page whether or
            # not the email already has an account).
            return render(request, "auth/check_mail.html", {"email": values["email"],
                                                            "purpose": "signup"})
    return render(request, "auth/signup.html",
                  {"next": safe_next(next), "values": values, "errors": errors}, status_code=422)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await end_session(request)
    flash(request, "You are signed out.")
    return see_other(request, "/", full_reload=True)

