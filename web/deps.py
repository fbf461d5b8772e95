"""Annotated dependency aliases of the pages."""

from typing import Annotated

from fastapi import Depends, Request

from web.clients import Clients


def get_clients(request: Request) -> Clients:
    return request.app.state.clients


ClientsDep = Annotated[Clients, Depends(get_clients)]
