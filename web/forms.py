"""Turning a refused form, ours or the API's, into messages beside its fields; and the
Idempotency-Key each form carries, minted when it is rendered so a double submit works once."""

import re
import uuid

from web.clients import ApiError

IDEMPOTENCY_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def new_key() -> str:
    return uuid.uuid4().hex


def sent_key(key: str) -> str:
    """The key the form came back with, or a fresh one when it is missing or malformed."""
    return key if IDEMPOTENCY_KEY.match(key) else new_key()


def api_field_errors(exc: ApiError, *, fields: tuple[str, ...],
                     aliases: dict[str, str] | None = None) -> dict[str, str]:
    """An API refusal as errors beside the form's fields; whatever names no field of this
    form becomes the form-level message."""
    aliases = aliases or {}
    errors: dict[str, str] = {}
    for error in exc.errors:
        name = aliases.get(error.field or "", error.field)
        if name in fields:
            errors.setdefault(name, error.msg)
        else:
            errors.setdefault("_form", error.msg)
    if exc.status == 409 and "email" in fields and "email" in exc.code:
        errors.setdefault("email", exc.detail)
    if not errors:
        errors["_form"] = exc.detail
    return errors
