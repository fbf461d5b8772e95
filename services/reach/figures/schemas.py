from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

# A figure is null when it is withheld from this caller (a partner, a cell too small to show).
Count = int | None


class _Public(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


class FootprintPublic(_Public):
    schools: Count = Field(description="distinct schools of the set's people")
    districts: Count
    counties: Count


class FootprintsPublic(_Public):
    direct: FootprintPublic
    conference: FootprintPublic
    indirect: FootprintPublic
    total: FootprintPublic


class GenerationPublic(_Public):
    generation: int = Field(description="1: direct and conference reach; 2 and beyond: indirect")
    and_later: bool = Field(False, description="true: this generation and every later one in "
                                               "one row (partners: from the first generation "
                                               "too small to show on)")
    people: Count
    facilitators: Count = Field(None, description="people of this generation who led a counted "
                                                  "session (who reached the next generation)")
    multiplier: float | None = Field(
        None, description="people per facilitator of the generation before (for generation 1: "
                          "per active leader)")


class MultipliersPublic(_Public):
    direct_per_active_leader: float | None
    total_per_leader: float | None


class DepthPublic(_Public):
    sessions_per_person: float | None = Field(description="mean counted sessions per person "
                                                          "reached")
    median_sessions_per_person: float | None
    session_ii_return_rate: float | None = Field(
        description="of the times reached people attended Session I of a multi-session direct "
                    "event, the share in which they came back to a later session")
    completion_rate: float | None = Field(
        description="share of multi-session direct reach who attended every session of such an "
                    "event")
    repeat_attendance: float | None = Field(description="share of people reached who attended "
                                                        "two or more distinct events")
    pd_hours: float | None = Field(description="PD contact hours: session hours summed over the "
                                               "attendances of people reached")


class PenetrationPublic(_Public):
    organization_id: str
    headcount: int = Field(description="educators of the organization, from its attributes")
    reached: Count
    rate: float | None


class AnswerPublic(_Public):
    network_id: str
    from_: date = Field(alias="from")
    to: date
    filters: dict[str, str] = Field(description="the filters applied, as given")
    as_of: datetime | None = Field(
        description="when reach last held every identity and scheduling change; null until both "
                    "feeds have been read once")
    variant: str = Field(description="the version of the definitions the figures follow")
    disclosure: str = Field(description="exact (network staff) or cell_key (partners: counts "
                                        "perturbed by up to 2, small cells withheld)")
    min_cell_size: int | None = Field(description="the threshold applied; null for exact figures")
    definitions: dict[str, str]


class FiguresPublic(_Public):
    leaders: Count
    active_leaders: Count = Field(description="leaders who facilitated a counted session")
    direct: Count
    direct_multi_session: Count = Field(
        description="D_ms: direct reach who attended a session of an event with 2+ sessions")
    direct_returned: Count = Field(
        description="D_ms2: direct reach who attended 2+ leader-led sessions of the same event")
    conference: Count
    indirect: Count
    total: Count
    schools: Count = Field(description="footprint of direct reach")
    districts: Count
    counties: Count
    sessions: Count
    pd_hours: float | None
    generations: list[GenerationPublic]
    footprint: FootprintsPublic
    multipliers: MultipliersPublic
    depth: DepthPublic
    penetration: PenetrationPublic | None = Field(
        description="share of an organization's educators reached, when a school or district "
                    "filter names one whose headcount is known")


class SummaryPublic(FiguresPublic, AnswerPublic):
    suppressed: list[str] = Field(description="figures withheld from this caller")


class BreakdownRowPublic(_Public):
    key: str | None = Field(description="organization id, county, role, subject, kind or year; "
                                         "null: not recorded")
    label: str
    leaders: Count
    direct: Count
    direct_multi_session: Count
    direct_returned: Count
    conference: Count
    indirect: Count
    total: Count
    schools: Count = Field(description="footprint of the row's total reach")
    districts: Count
    counties: Count
    pd_hours: float | None
    shares: dict[str, float | None] = Field(
        description="the row's share of the network's figure, per set")
    penetration: float | None = Field(description="share of the organization's educators "
                                                  "reached (school and district rows)")
    role_mix: dict[str, float | None] | None = Field(
        None, description="program_year rows: the corps' share per role")
    suppressed: bool


class BreakdownPublic(AnswerPublic):
    dimension: str
    rows: list[BreakdownRowPublic]


class LineagePublic(_Public):
    generation: int = Field(description="the generation of the people who facilitated")
    facilitator_role: str | None
    facilitators: Count
    reached: Count = Field(description="people they reached (the next generation)")
    reached_roles: dict[str, Count]


class CascadePublic(AnswerPublic):
    leader: bool = Field(description="true when the cascade is traced from one leader")
    leaders: Count
    generations: list[GenerationPublic]
    lineage: list[LineagePublic] = Field(description="who reached whom, in aggregate; network "
                                                     "staff only (empty for partners)")


class GrowthYearPublic(_Public):
    school_year: str = Field(description="July 1 to June 30, e.g. 2025-26")
    from_: date = Field(alias="from")
    to: date
    new: dict[str, Count] = Field(description="people first reached this year, per set")
    cumulative: dict[str, Count] = Field(description="people reached from the first year shown "
                                                     "to the end of this one, per set")
    leaders: Count = Field(description="corps size")
    active_leaders: Count
    role_mix: dict[str, float | None] = Field(description="share of the corps per role")


class GrowthPublic(AnswerPublic):
    years: list[GrowthYearPublic]
