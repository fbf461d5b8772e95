"""Rules for sign-in sheet imports: who may upload one, what a valid line is, and how each line
becomes a person in identity and one attendance record, applied line by line in the background."""

import logging
import re
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.attendance import service as attendance
from services.scheduling.identity import Identity, IdentityRefused, IdentityUnavailable
from services.scheduling.jobs.runner import JobKind, JobRunner, JobStopped
from services.scheduling.jobs.uploads import Line, parse_csv
from services.scheduling.sessions.models import Session
from services.scheduling.signin_sheets.errors import InvalidSheet
from services.scheduling.signin_sheets.models import SignInSheetJob, SignInSheetLineError
from shared.auth import Principal

log = logging.getLogger("cascade.scheduling.signin_sheets")

HEADER = ["email", "full_name", "role", "school", "district", "county"]
ROLES = ("teacher", "coach_tosa", "administrator", "teacher_candidate", "other")
# Identity's own rule for an email, so a line identity would refuse is reported as the sheet's.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL, MAX_NAME = 320, 200
# After this many lines in a row that identity could not answer, the rest would fail the same way.
MAX_IDENTITY_FAILURES = 3
KIND = JobKind(model=SignInSheetJob, error_model=SignInSheetLineError, abandoned=(
    "The import stopped when its process did; upload the sheet again to finish it."))


@dataclass(frozen=True)
class SheetPerson:
    email: str
    full_name: str
    role: str
    school: str | None
    district: str | None
    county: str | None


def parse_sheet(content: bytes) -> list[Line]:
    """The sheet's data lines; InvalidSheet when it is not UTF-8 CSV with the expected header."""
    return parse_csv(content, HEADER, InvalidSheet)


def read_line(line: Line) -> SheetPerson | str:
    """The person a line names, or what is wrong with it."""
    if len(line.cells) != len(HEADER):
        return f"expected {len(HEADER)} columns, found {len(line.cells)}"
    email, full_name, role, school, district, county = (cell.strip() for cell in line.cells)
    problems = []
    if not email:
        problems.append("email is missing")
    elif len(email) > MAX_EMAIL or not EMAIL.match(email):
        problems.append(f"email {email!r} is not a valid email address")
    if not full_name:
        problems.append("full_name is missing")
    elif len(full_name) > MAX_NAME:
        problems.append(f"full_name is longer than {MAX_NAME} characters")
    if role.lower() not in ROLES:
        problems.append(f"role {role!r} is unknown (one of {', '.join(ROLES)})")
    for field, value in (("school", school), ("district", district), ("county", county)):
        if len(value) > MAX_NAME:
            problems.append(f"{field} is longer than {MAX_NAME} characters")
    if problems:
        return "; ".join(problems)
    return SheetPerson(email=email.lower(), full_name=full_name, role=role.lower(),
                       school=school or None, district=district or None, county=county or None)


async def authorize(db: AsyncSession, *, principal: Principal, session_id: str) -> Session:
    """The session, when the caller facilitates it or is staff of its network: they import its
    sheets, as they check people in."""
    return await attendance.run_session(db, principal=principal, session_id=session_id)


async def create_job(db: AsyncSession, *, principal: Principal, session_id: str,
                     lines: list[Line]) -> SignInSheetJob:
    await authorize(db, principal=principal, session_id=session_id)
    job = SignInSheetJob(session_id=session_id, requested_by=principal.subject, total=len(lines))
    db.add(job)
    await db.flush()
    return job


async def get_job(db: AsyncSession, *, principal: Principal, job_id: str
                  ) -> tuple[SignInSheetJob, list[SignInSheetLineError]]:
    job = await KIND.get(db, job_id)
    await authorize(db, principal=principal, session_id=job.session_id)
    return await KIND.current(db, job)


@dataclass(frozen=True)
class Importer:
    """What a background import needs: the job runner (with its own database sessions), the
    way to identity, the session's network and the importing user's own token, which identity
    is given with every match: identity decides what this user may create, never scheduling's
    own powers (only after scheduling checked that the user runs the session)."""

    runner: JobRunner
    identity: Identity
    network_id: str
    acting_token: str

    async def run(self, *, job_id: str, principal: Principal, lines: list[Line]) -> None:
        async def work() -> None:
            failures = 0
            for line in lines:
                outcome = await self._apply(job_id, principal, line)
                failures = failures + 1 if outcome == "identity_unavailable" else 0
                if failures >= MAX_IDENTITY_FAILURES:
                    raise JobStopped(
                        f"Identity could not be reached for {failures} lines in a row; the "
                        f"lines after line {line.number} were not applied. Upload the sheet "
                        "again: lines already applied are not applied twice.")

        await self.runner.run(job_id, work)

    async def _apply(self, job_id: str, principal: Principal, line: Line) -> str:
        """Apply one line in one transaction with the job's progress: all of it or none."""
        person = read_line(line)
        if isinstance(person, str):
            await self.runner.reject(job_id, line.number, person)
            return "invalid"
        try:
            person_id, created = await self._find_or_create(person)
        except IdentityRefused as exc:
            await self.runner.reject(job_id, line.number,
                                     f"identity refused this person: {exc.detail}")
            return "invalid"
        except IdentityUnavailable:
            log.warning("identity unavailable for line %s of import %s", line.number, job_id,
                        exc_info=True)
            await self.runner.reject(job_id, line.number,
                                     "identity could not be reached; line not applied")
            return "identity_unavailable"
        async with self.runner.step(job_id) as (db, job):
            _attendance, new = await attendance.record(
                db, principal=principal, session_id=job.session_id, person_id=person_id,
                source="sign_in_sheet")
            job.attended += int(new)
            job.people_created += int(created)
            job.people_matched += int(not created)
        return "applied"

    async def _find_or_create(self, person: SheetPerson) -> tuple[str, bool]:
        """The person's id in identity and whether identity created them just now."""
        return await self.identity.match_person({
            "network_id": self.network_id, "email": person.email, "full_name": person.full_name,
            "role": person.role, "school": person.school, "district": person.district,
            "county": person.county}, acting_token=self.acting_token)
