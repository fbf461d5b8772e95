"""The reach service's error types: stable codes partners' scripts can act on."""

from shared.errors import CascadeError, Forbidden, InvalidInput


class UnsupportedDimension(InvalidInput):
    code, title = "unsupported_dimension", "Unsupported breakdown dimension"


class InvalidWindow(InvalidInput):
    code, title = "invalid_window", "Invalid date window"


class NotAllowedForNetwork(Forbidden):
    code, title = "network_forbidden", "Not allowed for this network"


class IndexLoading(CascadeError):
    status_code, code, title = 503, "index_loading", "Reach figures are still loading"
    headers = {"Retry-After": "5"}
