"""Where the figures get their engine from."""

from typing import Annotated

from fastapi import Depends

from services.reach.deps import SessionDep
from services.reach.engine.reference import ReferenceEngine
from services.reach.engine.result import Engine


async def reach_engine(db: SessionDep) -> Engine:
    # For now the plain definitions over the whole read model, loaded per request.
    return await ReferenceEngine.load(db)


EngineDep = Annotated[Engine, Depends(reach_engine)]
