"""The printable sign-in sheet of a session as a PDF: the same rows as the print page (name,
school, signature) and blank lines for walk-ins."""

from collections.abc import Iterable

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from web.clients.scheduling import Event, RosterEntry, Session
from web.rendering import local_time

# Blank lines at the end of the sheet for people who turn up without signing up.
WALK_IN_LINES = 10
_COLUMNS = (("#", 10), ("Name", 62), ("School", 52), ("Signature", 66))  # mm, Letter width
_ROW = 9  # mm: room to sign


def _latin1(text: str) -> str:
    """The PDF's built-in Helvetica covers Latin-1 only; other characters print as '?' rather
    than failing the whole sheet (the HTML page shows every name as written)."""
    return text.encode("latin-1", "replace").decode("latin-1")


def _row(pdf: FPDF, cells: Iterable[str], *, bold: bool = False) -> None:
    pdf.set_font("Helvetica", "B" if bold else "", 10)
    for (_, width), text in zip(_COLUMNS, cells, strict=True):
        pdf.cell(width, _ROW, _latin1(text), border=1)
    pdf.ln(_ROW)


def sign_in_sheet_pdf(*, event: Event, session: Session, people: list[RosterEntry]) -> bytes:
    pdf = FPDF(orientation="portrait", unit="mm", format="Letter")
    pdf.set_title(_latin1(f"Sign-in sheet: {event.title}, {session.title}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 8, _latin1(f"{event.title}: {session.title}"), new_x=XPos.LMARGIN,
             new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 10)
    where = ", ".join(part for part in (event.venue, session.room) if part)
    when = local_time(session.starts_at, event.timezone)
    pdf.cell(0, 6, _latin1(" - ".join(part for part in (when, where) if part)),
             new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    _row(pdf, [title for title, _ in _COLUMNS], bold=True)
    for number, person in enumerate(people, start=1):
        _row(pdf, [str(number), person.person_name or person.person_email or "", "", ""])
    for number in range(len(people) + 1, len(people) + WALK_IN_LINES + 1):
        _row(pdf, [str(number), "", "", ""])
    return bytes(pdf.output())
