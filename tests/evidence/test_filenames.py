"""The client's filename is only ever displayed: cleaned of folders, controls and quotes."""

import pytest

from services.evidence.artifacts.service import clean_filename, safe_content_type


@pytest.mark.parametrize(("given", "kept"), [
    ("../../etc/passwd", "passwd"),
    ("C:\\Users\\ana\\Sign-in sheet.pdf", "Sign-in sheet.pdf"),
    ('agenda "final".pdf', "agenda _final_.pdf"),
    ("notes\r\n.txt", "notes.txt"),
    ("   ", "artifact"),
    ("..", "artifact"),
    ("é" * 300 + ".pdf", "é" * 251 + ".pdf"),
])
def test_clean_filename(given, kept):
    assert clean_filename(given) == kept


@pytest.mark.parametrize(("declared", "stored"), [
    ("application/pdf", "application/pdf"),
    ("Image/PNG", "image/png"),
    ("text/plain; charset=utf-8", "text/plain"),
    ("text/html", "application/octet-stream"),
    ("image/svg+xml", "application/octet-stream"),
    ("", "application/octet-stream"),
])
def test_only_allowlisted_content_types_are_kept(declared, stored):
    assert safe_content_type(declared) == stored
