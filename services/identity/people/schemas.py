from enum import StrEnum
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class PersonRole(StrEnum):
    teacher = "teacher"
    coach_tosa = "coach_tosa"
    administrator = "administrator"
    teacher_candidate = "teacher_candidate"
    other = "other"


def _blank_is_none(value: object) -> object:
    # Sign-in sheets leave cells empty: "" means "not given".
    return None if isinstance(value, str) and not value.strip() else value


Email = Annotated[str, Field(max_length=320, pattern=EMAIL_PATTERN),
                  AfterValidator(lambda value: value.strip().lower())]
# The length applies to a name only: a blank name means "not given" and becomes None first.
PlaceName = Annotated[Annotated[str, Field(max_length=200)] | None, BeforeValidator(_blank_is_none)]


class PersonCreate(BaseModel):
    email: Email
    full_name: str = Field(min_length=1, max_length=200)
    role: PersonRole
    school: PlaceName = None
    district: PlaceName = None
    county: PlaceName = None


class PersonMatch(PersonCreate):
    """A sign-in sheet line: the person to find by email, or to create, for this network."""

    network_id: str = Field(min_length=1, max_length=26)


class PersonMatchResult(BaseModel):
    # Nothing else about the person: a facilitator learns only which id to record attendance for.
    id: str
    created: bool


MAX_BATCH = 1000


class MatchAnswer(BaseModel):
    """One item of a batch, answered: matched or created (with the id only, as one match is),
    or an error saying what is wrong with that item (it changed nothing)."""

    status: Literal["matched", "created", "error"]
    id: str | None = None
    message: str | None = None


class PersonMatchBatchResult(BaseModel):
    items: list[MatchAnswer]  # in the order of the request's items
    matched: int
    created: int
    errors: int

    @classmethod
    def of(cls, answers: list[MatchAnswer]) -> "PersonMatchBatchResult":
        counts = {status: sum(a.status == status for a in answers)
                  for status in ("matched", "created", "error")}
        return cls(items=answers, matched=counts["matched"], created=counts["created"],
                   errors=counts["error"])


class PersonUpdate(BaseModel):
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    role: PersonRole | None = None
    school: PlaceName = None
    district: PlaceName = None
    county: PlaceName = None


class PersonPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    email: str
    full_name: str
    role: str
    school_id: str | None
    district_id: str | None
    county: str | None
