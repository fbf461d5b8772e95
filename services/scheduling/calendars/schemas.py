from pydantic import BaseModel, Field


class CalendarLink(BaseModel):
    url: str = Field(description="Path and query of the caller's private feed; calendar apps "
                                 "subscribe to it without a bearer token. Keep it secret.")
