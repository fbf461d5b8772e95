"""Annotated dependency aliases of the reach service."""

from typing import Annotated

from fastapi import Depends, Request

from services.reach.access import ReachCaller, reach_caller
from services.reach.settings import ReachSettings
from shared.db import SessionDep

__all__ = ["CallerDep", "SessionDep", "SettingsDep"]


def _settings(request: Request) -> ReachSettings:
    return request.app.state.settings


CallerDep = Annotated[ReachCaller, Depends(reach_caller)]
SettingsDep = Annotated[ReachSettings, Depends(_settings)]
