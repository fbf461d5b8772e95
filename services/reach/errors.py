"""The reach service's error types: stable codes partners' scripts can act on."""

from shared.errors import CascadeError, Forbidden, InvalidInput, NotFound


class UnsupportedDimension(InvalidInput):
    code, title = "unsupported_dimension", "Unsupported breakdown dimension"


class InvalidWindow(InvalidInput):
    code, title = "invalid_window", "Invalid date window"


class NotAllowedForNetwork(Forbidden):
    code, title = "network_forbidden", "Not allowed for this network"


class NetworkNotFound(NotFound):
    code, title = "network_not_found", "No such network"


class UnknownNetwork(InvalidInput):
    code, title = "unknown_network", "No such network"


class UnknownFilter(InvalidInput):
    code, title = "unknown_filter", "Unknown filter or value"


class PartnerWindow(InvalidInput):
    code, title = "partner_window", "Partners ask for whole months"


class LeaderNotInNetwork(InvalidInput):
    code, title = "leader_not_in_network", "Not a leader of this network"


class TooManyQueries(CascadeError):
    status_code, code, title = 429, "rate_limited", "Too many queries"

    def __init__(self, retry_after: float) -> None:
        seconds = max(1, round(retry_after + 0.5))
        super().__init__(f"This key's query allowance is used up; retry in {seconds} s.",
                         retry_after=seconds)
        self.headers = {"Retry-After": str(seconds)}


class IndexLoading(CascadeError):
    status_code, code, title = 503, "index_loading", "Reach figures are still loading"
    headers = {"Retry-After": "5"}
