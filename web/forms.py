"""Turning a refused form, ours or the API's, into messages beside its fields."""

from web.clients import ApiError


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
