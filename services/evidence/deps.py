"""Annotated dependency aliases of the evidence service."""

from typing import Annotated

import httpx
from fastapi import Depends, Request

from services.evidence.artifacts.storage import FileStore
from services.evidence.settings import EvidenceSettings
from shared.auth import PrincipalDep
from shared.db import SessionDep

__all__ = ["AuthorizationDep", "FilesDep", "GatewayDep", "PrincipalDep", "SessionDep",
           "SettingsDep"]


def _authorization(request: Request, _principal: PrincipalDep) -> str:
    # Forwarded to scheduling so it answers as it would answer the caller.
    return request.headers["authorization"]


def _files(request: Request) -> FileStore:
    return request.app.state.files


def _gateway(request: Request) -> httpx.AsyncClient:
    return request.app.state.gateway


def _settings(request: Request) -> EvidenceSettings:
    return request.app.state.settings


AuthorizationDep = Annotated[str, Depends(_authorization)]
FilesDep = Annotated[FileStore, Depends(_files)]
GatewayDep = Annotated[httpx.AsyncClient, Depends(_gateway)]
SettingsDep = Annotated[EvidenceSettings, Depends(_settings)]
