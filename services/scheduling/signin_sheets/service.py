"""Rules for sign-in sheet imports: who may upload one, what a valid line is, and how each line
becomes a person in identity and one attendance record, applied line by line in the background."""

import asyncio
import csv
import io
import logging
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.scheduling.attendance import service as attendance
from services.scheduling.signin_sheets import repository
from services.scheduling.signin_sheets.directory import (
    Directory, IdentityUnavailable, PersonRejected, SheetPerson)
from services.scheduling.signin_sheets.errors import InvalidSheet, JobNotFound
from services.scheduling.signin_sheets.models import SignInSheetJob, SignInSheetLineError
from shared.auth import Principal
from shared.db import utcnow
from shared.errors import CascadeError

log = logging.getLogger("cascade.scheduling.signin_sheets")

HEADER = ["email", "full_name", "role", "school", "district", "county"]
ROLES = ("teacher", "coach_tosa", "administrator", "teacher_candidate", "other")
# Identity's own rule for an email, so a line identity would refuse is reported as the sheet's.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_EMAIL, MAX_NAME = 320, 200
# After this many lines in a row that identity could not answer, the rest would fail the same way.
MAX_IDENTITY_FAILURES = 3
# Progress is written with every line; an unfinished job silent this long lost its process.
SILENT_FOR = timedelta(minutes=2)
ABANDONED = "The import stopped when its process did; upload the sheet again to finish it."


@dataclass(frozen=True)
class Line:
    number: int  # counting the header as line 1, as a spreadsheet shows it
    cells: list[str]


def parse_sheet(content: bytes) -> list[Line]:
    """The sheet's data lines; InvalidSheet when it is not UTF-8 CSV with the expected header."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidSheet("The sheet is not UTF-8 text.") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or [cell.strip() for cell in header] != HEADER:
            raise InvalidSheet(f"The first line must be exactly: {','.join(HEADER)}")
        return [Line(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise InvalidSheet(f"Line {reader.line_num} is not valid CSV: {exc}") from exc


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


async def authorize(db: AsyncSession, *, principal: Principal, session_id: str) -> None:
    """Facilitators of the session and staff of its network import its sheets, as they check
    people in."""
    await attendance.run_session(db, principal=principal, session_id=session_id)


async def create_job(db: AsyncSession, *, principal: Principal, session_id: str,
                     lines: list[Line]) -> SignInSheetJob:
    await authorize(db, principal=principal, session_id=session_id)
    job = SignInSheetJob(session_id=session_id, requested_by=principal.subject, total=len(lines))
    await repository.add(db, job)
    return job


async def get_job(db: AsyncSession, *, principal: Principal, job_id: str
                  ) -> tuple[SignInSheetJob, list[SignInSheetLineError]]:
    job = await repository.get(db, job_id)
    if job is None:
        raise JobNotFound()
    await authorize(db, principal=principal, session_id=job.session_id)
    now = utcnow()
    if await repository.fail_if_silent(db, job_id=job.id, since=now - SILENT_FOR,
                                       message=ABANDONED, now=now):
        await db.refresh(job)
    return job, await repository.errors_of(db, job.id)


@dataclass(frozen=True)
class Importer:
    """What a background import needs: its own database sessions (the request's is committed and
    gone) and the way to identity."""

    sessions: async_sessionmaker[AsyncSession]
    directory: Directory

    async def run(self, *, job_id: str, principal: Principal, lines: list[Line]) -> None:
        try:
            await self._update(job_id, status="running")
            failures = 0
            for line in lines:
                outcome = await self._apply(job_id, principal, line)
                failures = failures + 1 if outcome == "identity_unavailable" else 0
                if failures >= MAX_IDENTITY_FAILURES:
                    await self._update(job_id, status="failed", message=(
                        f"Identity could not be reached for {failures} lines in a row; the "
                        f"lines after line {line.number} were not applied. Upload the sheet "
                        "again: lines already applied are not applied twice."))
                    return
            await self._update(job_id, status="done")
        except asyncio.CancelledError:
            await self._update(job_id, status="failed", message=ABANDONED)
            raise
        except CascadeError as exc:  # the session was deleted or hidden meanwhile, say
            await self._update(job_id, status="failed", message=exc.detail)
        except Exception:
            log.exception("sign-in sheet import %s failed", job_id)
            await self._update(job_id, status="failed",
                               message="The import failed on our side; lines after the last "
                                       "processed one were not applied.")

    async def _apply(self, job_id: str, principal: Principal, line: Line) -> str:
        """Apply one line in one transaction with the job's progress: all of it or none."""
        person = read_line(line)
        if isinstance(person, str):
            await self._reject(job_id, line, person)
            return "invalid"
        try:
            person_id, created = await self.directory.find_or_create(person)
        except PersonRejected as exc:
            await self._reject(job_id, line, f"identity refused this person: {exc}")
            return "invalid"
        except IdentityUnavailable:
            log.warning("identity unavailable for line %s of import %s", line.number, job_id,
                        exc_info=True)
            await self._reject(job_id, line, "identity could not be reached; line not applied")
            return "identity_unavailable"
        async with self.sessions() as db:
            job = await self._job(db, job_id)
            _attendance, new = await attendance.record(
                db, principal=principal, session_id=job.session_id, person_id=person_id,
                source="sign_in_sheet")
            job.processed += 1
            job.attended += int(new)
            job.people_created += int(created)
            job.people_matched += int(not created)
            job.updated_at = utcnow()
            await repository.save(db, job)
            await db.commit()
        return "applied"

    async def _reject(self, job_id: str, line: Line, message: str) -> None:
        async with self.sessions() as db:
            job = await self._job(db, job_id)
            await repository.add_error(db, job_id=job_id, line=line.number, message=message)
            job.processed += 1
            job.updated_at = utcnow()
            await repository.save(db, job)
            await db.commit()

    async def _update(self, job_id: str, **changes: str) -> None:
        async with self.sessions() as db:
            job = await self._job(db, job_id)
            for name, value in changes.items():
                setattr(job, name, value)
            job.updated_at = utcnow()
            await repository.save(db, job)
            await db.commit()

    @staticmethod
    async def _job(db: AsyncSession, job_id: str) -> SignInSheetJob:
        job = await repository.get(db, job_id)
        if job is None:  # created and committed before the import started
            raise JobNotFound()
        return job
