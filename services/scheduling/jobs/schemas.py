from pydantic import BaseModel


class LineErrorPublic(BaseModel):
    line: int
    message: str
