"""Rules for sign-in sheet imports: who may upload one, what a valid line is, and how each line
becomes a person in identity and one attendance record, applied a chunk of lines at a time in the
background."""

import asyncio
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

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
# Lines matched in identity and recorded together: one call and one transaction each.
CHUNK = 1000
# Identity is asked this many times for a chunk (waiting RETRY_DELAY seconds, doubled each time,
# between tries) before the import stops: the rest would fail the same way.
MAX_IDENTITY_FAILURES = 3
RETRY_DELAY = 0.2
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


async def authorize_import(db: AsyncSession, *, principal: Principal, session_id: str,
                           lead: timedelta) -> Session:
    """The session, when the caller may import its sheet now: they run it, and attendance may
    be recorded for it (it starts within the check-in lead time, and nothing was cancelled)."""
    return await attendance.open_session(db, principal=principal, session_id=session_id,
                                         lead=lead)


async def create_job(db: AsyncSession, *, principal: Principal, session_id: str,
                     lines: list[Line], lead: timedelta) -> SignInSheetJob:
    await authorize_import(db, principal=principal, session_id=session_id, lead=lead)
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
    own powers (only after scheduling checked that the user runs the session).

    A sheet goes in chunks of up to CHUNK lines: one call to identity matches or creates the
    chunk's people, and one transaction records their attendance with the job's progress and
    the chunk's line errors, all of it or none."""

    runner: JobRunner
    identity: Identity
    network_id: str
    acting_token: str
    lead: timedelta

    async def run(self, *, job_id: str, principal: Principal, lines: list[Line]) -> None:
        async def work() -> None:
            for start in range(0, len(lines), CHUNK):
                await self._apply(job_id, principal, lines[start:start + CHUNK],
                                  key=f"sign-in-sheet:{job_id}:{start}")

        await self.runner.run(job_id, work)

    async def _apply(self, job_id: str, principal: Principal, chunk: list[Line], *,
                     key: str) -> None:
        people = {line.number: read_line(line) for line in chunk}
        errors = {number: person for number, person in people.items() if isinstance(person, str)}
        valid = {number: person for number, person in people.items()
                 if not isinstance(person, str)}
        answers = await self._match(list(valid.values()), key=key, first=chunk[0].number)
        found: dict[int, tuple[str, bool]] = {}
        for number, answer in zip(valid, answers, strict=True):
            if isinstance(answer, str):
                errors[number] = f"identity refused this person: {answer}"
            else:
                found[number] = answer
        async with self.runner.step(job_id, lines=len(chunk)) as (db, job):
            new = await attendance.record_many(
                db, principal=principal, session_id=job.session_id,
                person_ids=[person_id for person_id, _created in found.values()],
                source="sign_in_sheet", lead=self.lead)
            job.attended += sum(new.values())
            job.people_created += sum(created for _id, created in found.values())
            job.people_matched += sum(not created for _id, created in found.values())
            await self.runner.errors(db, job_id, sorted(errors.items()))

    async def _match(self, people: list[SheetPerson], *, key: str, first: int
                     ) -> list[tuple[str, bool] | str]:
        """For each person, their id in identity and whether identity created them just now,
        or why identity refused them. Asked again (with the same key, so nothing is done twice)
        when identity could not answer; the job stops when it still cannot."""
        if not people:
            return []
        items = [{"network_id": self.network_id, "email": p.email, "full_name": p.full_name,
                  "role": p.role, "school": p.school, "district": p.district,
                  "county": p.county} for p in people]
        for attempt in range(MAX_IDENTITY_FAILURES):
            try:
                answers = await self.identity.match_people(items, acting_token=self.acting_token,
                                                           key=key)
            except IdentityRefused as exc:
                return [exc.detail] * len(people)
            except IdentityUnavailable:
                log.warning("identity unavailable for the lines from %s (attempt %s)", first,
                            attempt + 1, exc_info=True)
                if attempt + 1 < MAX_IDENTITY_FAILURES:
                    await asyncio.sleep(RETRY_DELAY * 2 ** attempt)
                continue
            return [(a["id"], a["status"] == "created") if a["status"] != "error"
                    else str(a.get("message") or "refused") for a in answers]
        raise JobStopped(
            f"Identity could not be reached ({MAX_IDENTITY_FAILURES} tries); the lines from "
            f"line {first} on were not applied. Upload the sheet again: lines already applied "
            "are not applied twice.")
