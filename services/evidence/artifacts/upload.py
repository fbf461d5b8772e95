"""Reading an artifact upload (multipart/form-data) from the request stream.

Starlette's form parser spools a file part to disk with no size limit before the endpoint runs,
so the body is parsed here instead: the file goes straight to the staging folder, hashed and
counted as it arrives, and the upload stops with 413 the moment it passes the limit.
"""

from dataclasses import dataclass, field

from fastapi import Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from services.evidence.artifacts.storage import FileStore, StagedFile
from services.evidence.errors import InvalidArtifact, UnsupportedUpload, UploadTooLarge

FILE_FIELD = "file"
MAX_FIELDS = 20
MAX_FIELD_BYTES = 4096
# Room for the multipart framing and the small text fields around the file.
FORM_OVERHEAD = 64 * 1024


@dataclass
class ArtifactForm:
    fields: dict[str, str] = field(default_factory=dict)
    file: StagedFile | None = None
    filename: str = ""
    content_type: str = ""

    def discard(self) -> None:
        if self.file is not None:
            self.file.discard()


class _Receiver:
    def __init__(self, store: FileStore, max_bytes: int) -> None:
        self.store, self.max_bytes = store, max_bytes
        self.form = ArtifactForm()
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = ""
        self._value = bytearray()
        self._in_file = False

    def on_part_begin(self) -> None:
        self._headers, self._name, self._value, self._in_file = {}, "", bytearray(), False

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def on_header_end(self) -> None:
        self._headers[self._header_field.lower()] = self._header_value
        self._header_field, self._header_value = b"", b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" not in options:
            if len(self.form.fields) >= MAX_FIELDS:
                raise InvalidArtifact("Too many form fields.")
            return
        if self._name != FILE_FIELD or self.form.file is not None:
            raise InvalidArtifact(f"Send exactly one file, in the field {FILE_FIELD!r}.")
        self._in_file = True
        self.form.filename = options[b"filename"].decode("utf-8", "replace")
        self.form.content_type = self._headers.get(b"content-type", b"").decode("latin-1")
        self.form.file = self.store.stage()

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if not self._in_file:
            self._value += chunk
            if len(self._value) > MAX_FIELD_BYTES:
                raise InvalidArtifact(f"The field {self._name!r} is too long.")
            return
        if self.form.file.size + len(chunk) > self.max_bytes:
            raise UploadTooLarge(f"An artifact may be at most {self.max_bytes} bytes.",
                                 max_bytes=self.max_bytes)
        self.form.file.write(chunk)

    def on_part_end(self) -> None:
        if not self._in_file:
            self.form.fields[self._name] = self._value.decode("utf-8", "replace")


async def read_artifact_form(request: Request, *, store: FileStore, max_bytes: int
                             ) -> ArtifactForm:
    """The form's text fields and its one file, staged on disk; nothing stays staged if the
    upload fails (the caller discards the file if it fails afterwards)."""
    media_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise UnsupportedUpload("Send the artifact as multipart/form-data.")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes + FORM_OVERHEAD:
        raise UploadTooLarge(f"An artifact may be at most {max_bytes} bytes.", max_bytes=max_bytes)

    receiver = _Receiver(store, max_bytes)
    parser = MultipartParser(boundary, {
        name: getattr(receiver, name) for name in (
            "on_part_begin", "on_part_data", "on_part_end", "on_header_field",
            "on_header_value", "on_header_end", "on_headers_finished")
    })
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except FormParserError:
        receiver.form.discard()
        raise InvalidArtifact("The multipart body is malformed.") from None
    except BaseException:
        receiver.form.discard()
        raise
    return receiver.form
