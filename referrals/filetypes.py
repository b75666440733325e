"""What a file that is not a CSV really is, from its first bytes.

People choose "the referrals file" and upload the workbook, a PDF of it or a screenshot, or
rename ``.xlsx`` to ``.csv`` hoping that is enough. Telling them what the file is and how to
save a CSV gets them further than "the file could not be read". Only the signatures ("magic
numbers") are read: nothing in the file is parsed or run.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 (.xls) and other old Office files
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "PNG",
    b"\xff\xd8\xff": "JPEG",
    b"GIF87a": "GIF",
    b"GIF89a": "GIF",
}
# How far into a ZIP to look for the names that say what it holds: an .xlsx names
# "[Content_Types].xml" and its "xl/" parts, an .ods starts with its mimetype, within the first
# few entries.
HEAD_BYTES = 8192
_SAVE_AS = "CSV UTF-8 (comma delimited)"


def not_a_csv(head: bytes) -> str | None:
    """A message in the active language naming what the file is, or None if it may be a CSV.
    ``head`` is the start of the file (``HEAD_BYTES`` is enough)."""
    if head.startswith(ZIP_SIGNATURES):
        if b"opendocument.spreadsheet" in head:
            return _(
                "This file is an OpenDocument spreadsheet (.ods), not a CSV. Open it and save it as “%(format)s”, then upload that file."
            ) % {"format": _SAVE_AS}
        if b"xl/" in head:
            return _(
                "This file is an Excel workbook (.xlsx), not a CSV. Open it in Excel, choose File, Save As, “%(format)s”, then upload that file."
            ) % {"format": _SAVE_AS}
        return _(
            "This file is a ZIP archive (or another compressed file), not a CSV. Save the spreadsheet as “%(format)s” and upload that file."
        ) % {"format": _SAVE_AS}
    if head.startswith(OLE_SIGNATURE):
        return _(
            "This file is an old Excel workbook (.xls) or another Office document, not a CSV. Open it in Excel, choose File, Save As, “%(format)s”, then upload that file."
        ) % {"format": _SAVE_AS}
    if head.startswith(b"%PDF-"):
        return _(
            "This file is a PDF, not a CSV. Nyth cannot read a table from a PDF: open the spreadsheet it came from and save it as “%(format)s”."
        ) % {"format": _SAVE_AS}
    for signature, kind in IMAGE_SIGNATURES.items():
        if head.startswith(signature):
            return _(
                "This file is a picture (%(kind)s), not a CSV. Open the spreadsheet itself and save it as “%(format)s”."
            ) % {"kind": kind, "format": _SAVE_AS}
    return None
