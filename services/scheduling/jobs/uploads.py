"""Reading an uploaded CSV file (text/csv or a multipart field `file`) into numbered lines, for
every import that takes one."""

import csv
import io
from dataclasses import dataclass

from fastapi import Request
from starlette.datastructures import UploadFile

from services.scheduling.jobs.errors import SheetTooLarge, UnsupportedSheetType
from shared.errors import InvalidInput

MAX_SHEET_BYTES = 2 * 1024 * 1024
# Multipart framing around the file: boundaries and part headers.
MULTIPART_SLACK = 16 * 1024

# The OpenAPI request body of a route that takes a CSV upload.
CSV_BODY = {"requestBody": {"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}}}},
}}}


@dataclass(frozen=True)
class Line:
    number: int  # counting the header as line 1, as a spreadsheet shows it
    cells: list[str]


async def read_upload(request: Request, invalid: type[InvalidInput]) -> bytes:
    """The uploaded bytes, refused past MAX_SHEET_BYTES before more is read than that."""
    too_large = SheetTooLarge(f"A sheet may be at most {MAX_SHEET_BYTES} bytes.")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    declared = request.headers.get("content-length", "")
    if media_type == "text/csv":
        if declared.isdigit() and int(declared) > MAX_SHEET_BYTES:
            raise too_large
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_SHEET_BYTES:
                raise too_large
        return bytes(body)
    if media_type == "multipart/form-data":
        if declared.isdigit() and int(declared) > MAX_SHEET_BYTES + MULTIPART_SLACK:
            raise too_large
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile):
                raise invalid("Send the sheet in the multipart field 'file'.")
            content = await upload.read(MAX_SHEET_BYTES + 1)
        if len(content) > MAX_SHEET_BYTES:
            raise too_large
        return content
    raise UnsupportedSheetType("Send the sheet as text/csv or in the multipart field 'file'.")


def parse_csv(content: bytes, header: list[str], invalid: type[InvalidInput]) -> list[Line]:
    """The data lines of a UTF-8 CSV file whose first line is exactly `header`; blank lines are
    skipped. `invalid` is the error that tells the user what is wrong with the file itself."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise invalid("The sheet is not UTF-8 text.") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        found = next(reader, None)
        if found is None or [cell.strip() for cell in found] != header:
            raise invalid(f"The first line must be exactly: {','.join(header)}")
        return [Line(reader.line_num, row) for row in reader if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise invalid(f"Line {reader.line_num} is not valid CSV: {exc}") from exc
