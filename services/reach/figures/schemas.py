from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class _Public(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class FootprintPublic(_Public):
    schools: int | None = Field(description="distinct schools of the set's people")
    districts: int | None
    counties: int | None


class FootprintsPublic(_Public):
    direct: FootprintPublic
    conference: FootprintPublic
    indirect: FootprintPublic
    total: FootprintPublic


class GenerationPublic(_Public):
    generation: int = Field(description="1: direct and conference reach; 2 and beyond: indirect")
    people: int | None


class SummaryPublic(_Public):
    network_id: str
    from_: date = Field(alias="from")
    to: date
    leaders: int | None
    direct: int | None
    conference: int | None
    indirect: int | None
    total: int | None
    direct_multi_session: int | None = Field(
        description="D_ms: direct reach who attended a session of an event with 2+ sessions")
    direct_returned: int | None = Field(
        description="D_ms2: direct reach who attended 2+ leader-led sessions of the same event")
    schools: int | None = Field(description="footprint of direct reach")
    districts: int | None
    counties: int | None
    sessions: int
    pd_hours: float
    generations: list[GenerationPublic]
    footprint: FootprintsPublic
    as_of: datetime | None = Field(
        description="when reach last held every identity and scheduling change; null until both "
                    "feeds have been read once")
    suppressed: list[str] = Field(description="figures withheld from this caller (partners)")
    min_cell_size: int | None = Field(description="the threshold applied; null for exact figures")
    definitions: dict[str, str]


class BreakdownRowPublic(_Public):
    key: str | None = Field(description="organization id, county, or role; null: not recorded")
    label: str
    direct: int | None
    conference: int | None
    indirect: int | None
    total: int | None
    suppressed: bool


class BreakdownPublic(_Public):
    network_id: str
    from_: date = Field(alias="from")
    to: date
    dimension: str
    rows: list[BreakdownRowPublic]
    as_of: datetime | None
    min_cell_size: int | None
    definitions: dict[str, str]
