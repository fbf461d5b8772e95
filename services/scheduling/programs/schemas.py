import re
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from shared.dates import Day

ProgramStatus = Literal["active", "closed"]
CohortRole = Literal["leader", "coach"]


def _school_year(name: str) -> str:
    # "2017-18": the second half must be the year after the first, so "2017-19" is refused.
    match = re.fullmatch(r"(\d{4})-(\d{2})", name)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError('a program year is named like "2017-18" (July 1, 2017 to June 30, 2018)')
    return name


ProgramYear = Annotated[str, AfterValidator(_school_year)]


def year_bounds(program_year: str) -> tuple[date, date]:
    """July 1 to June 30: the school year a program year names."""
    first = int(program_year[:4])
    return date(first, 7, 1), date(first + 1, 6, 30)


def school_year(first: int) -> str:
    """The name of the school year that starts on July 1 of `first`."""
    return f"{first:04d}-{(first + 1) % 100:02d}"


def year_of(day: date) -> str:
    return school_year(day.year if day.month >= 7 else day.year - 1)


def check_dates(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        raise ValueError("ends_on must not be before starts_on")


class ProgramCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    network_id: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    starts_on: Day
    ends_on: Day
    status: ProgramStatus = "active"

    @model_validator(mode="after")
    def _dates(self) -> "ProgramCreate":
        check_dates(self.starts_on, self.ends_on)
        return self


class ProgramUpdate(BaseModel):
    """Any subset of the program's fields; its network never changes."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10_000)
    starts_on: Day | None = None
    ends_on: Day | None = None
    status: ProgramStatus | None = None

    @model_validator(mode="after")
    def _dates(self) -> "ProgramUpdate":
        check_dates(self.starts_on, self.ends_on)
        return self


class ProgramPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    network_id: str
    name: str
    description: str
    starts_on: date
    ends_on: date
    status: ProgramStatus
    created_at: datetime
    updated_at: datetime


class CohortEntryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    person_id: str = Field(min_length=1, max_length=64)
    program_year: ProgramYear
    role: CohortRole = "leader"


class CohortEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    program_id: str
    person_id: str
    program_year: str
    role: CohortRole
    membership_id: str | None = Field(
        None, description="a leader's membership of the network for the program year, in identity")
    created_at: datetime


class ProgramYearPublic(BaseModel):
    """Corps size of one program year: the growth figure reach reports per program year."""

    program_year: str
    starts_on: date
    ends_on: date
    leaders: int
    coaches: int
