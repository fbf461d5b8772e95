"""What an htmx request asks for, read from its headers (htmx 2)."""

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request


@dataclass(frozen=True, slots=True)
class Htmx:
    request: bool
    boosted: bool
    history_restore: bool
    target: str | None

    @property
    def wants_fragment(self) -> bool:
        # A history restore asks for the whole page even though it carries HX-Request.
        return self.request and not self.history_restore

    def targets(self, element_id: str) -> bool:
        return self.wants_fragment and self.target == element_id


def get_htmx(request: Request) -> Htmx:
    headers = request.headers
    return Htmx(
        request=headers.get("HX-Request") == "true",
        boosted=headers.get("HX-Boosted") == "true",
        history_restore=headers.get("HX-History-Restore-Request") == "true",
        target=headers.get("HX-Target") or None,
    )


HtmxDep = Annotated[Htmx, Depends(get_htmx)]
