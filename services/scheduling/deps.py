"""Annotated dependency aliases used by the scheduling routers."""

from shared.auth import OptionalPrincipalDep, PrincipalDep
from shared.db import SessionDep
from shared.pagination import PageDep

__all__ = ["OptionalPrincipalDep", "PageDep", "PrincipalDep", "SessionDep"]
