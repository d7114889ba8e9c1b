"""Bounded uploads: size, type judged by content (not by name), and zip-bomb checks.

Every upload in the platform passes through `check_upload`, so the limits in settings hold
everywhere and the messages are the same; files kept with a record (evidence, attachments,
materials) go through `accept_upload` and `Accepted.store`.
"""

from __future__ import annotations

import codecs
import hashlib
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext


class UploadError(ValueError):
    """An upload refused before any of it is used; the message tells the user why."""


@dataclass(frozen=True)
class Kind:
    name: str
    label: str


PDF = Kind("pdf", "PDF")
DOCX = Kind("docx", "Word (.docx)")
XLSX = Kind("xlsx", "Excel (.xlsx)")
PNG = Kind("png", "PNG")
JPEG = Kind("jpeg", "JPEG")
TEXT = Kind("text", "text/CSV")

_ZIP_MAGIC = b"PK\x03\x04"
_OOXML_MAIN = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX}
_MAX_ZIP_ENTRIES = 10_000

#: What reading a damaged or unusual zip raises besides BadZipFile: a member's deflate stream
#: broken (zlib.error) or cut short (EOFError), an unsupported version, compression method or
#: encryption (NotImplementedError, RuntimeError), offsets or a name the directory gets wrong
#: (ValueError, UnicodeDecodeError among them). Every reader of an uploaded zip catches these,
#: so a damaged file is a message, never a server error.
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
    RuntimeError,
)


def _size_of(file: IO[bytes]) -> int:
    size = getattr(file, "size", None)
    if size is None:
        position = file.tell()
        file.seek(0, 2)
        size = file.tell()
        file.seek(position)
    return int(size)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        # Incremental decoding tolerates a multi-byte character cut at the end of the sample.
        try:
            codecs.getincrementaldecoder(encoding)().decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return True
    return False


def sniff(file: IO[bytes]) -> Kind | None:
    """What the content is, from its first bytes (and a zip's directory): None if unknown."""
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except ZIP_ERRORS:
            return None
        finally:
            file.seek(0)
        for main, kind in _OOXML_MAIN.items():
            if main in names:
                return kind
        return None
    if _looks_like_text(head):
        return TEXT
    return None


def _check_zip(file: IO[bytes], size: int) -> None:
    """Refuse archives that would expand beyond the limits (zip bombs), before reading them."""
    try:
        with zipfile.ZipFile(file) as archive:
            infos = archive.infolist()
    except ZIP_ERRORS as error:
        raise UploadError(gettext("The file is damaged: %(error)s") % {"error": error}) from None
    finally:
        file.seek(0)
    if len(infos) > _MAX_ZIP_ENTRIES:
        raise UploadError(gettext("The file holds too many parts to be a normal document."))
    expanded = sum(info.file_size for info in infos)
    if expanded > settings.UPLOAD_MAX_UNZIPPED_BYTES:
        raise UploadError(
            gettext("The file would expand to %(size)s, more than the limit of %(limit)s.")
            % {
                "size": filesizeformat(expanded),
                "limit": filesizeformat(settings.UPLOAD_MAX_UNZIPPED_BYTES),
            }
        )
    if size and expanded / size > settings.UPLOAD_MAX_ZIP_RATIO:
        raise UploadError(
            gettext("The file is compressed suspiciously well (a zip bomb?) and was refused.")
        )


def check_upload(file: IO[bytes], allowed: tuple[Kind, ...]) -> Kind:
    """Check size, type by content and, for zip-based formats, expansion; return the kind."""
    size = _size_of(file)
    if size == 0:
        raise UploadError(gettext("The file is empty."))
    if size > settings.UPLOAD_MAX_BYTES:
        raise UploadError(
            gettext("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        )
    kind = sniff(file)
    if kind not in allowed:
        raise UploadError(
            gettext(
                "This file's content is not of an accepted type (%(types)s), whatever its name."
            )
            % {"types": ", ".join(k.label for k in allowed)}
        )
    if kind in (DOCX, XLSX):
        _check_zip(file, size)
    return kind


@dataclass(frozen=True)
class Accepted:
    """An upload that passed `check_upload`, read once, ready to be stored as a record's file.
    The stored name is random: the original name is only shown, never used as a path."""

    kind: Kind
    content: bytes
    original_name: str

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    def record_fields(self) -> dict:
        """The file's description as the evidence, attachment and material models keep it."""
        return {
            "original_name": self.original_name,
            "content_type": self.kind.name,
            "size": self.size,
            "sha256": self.sha256,
        }

    def store(self, field_file) -> None:
        """Write the content into a record's FileField (the record is saved by the caller)."""
        field_file.save(f"{uuid.uuid4().hex}.{self.kind.name}", ContentFile(self.content), False)


# What a served file is sent as, by its content (never by the uploader's file name): a page
# disguised under another name is downloaded as what it is, or as bytes.
MEDIA_TYPES = {
    PDF.name: "application/pdf",
    DOCX.name: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    XLSX.name: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    PNG.name: "image/png",
    JPEG.name: "image/jpeg",
    TEXT.name: "text/plain",
}


def download(field_file, filename: str) -> FileResponse:
    """A stored upload as an attachment named `filename`, its type judged by its content
    (application/octet-stream when unknown) and marked not to be sniffed."""
    handle = field_file.open("rb")
    kind = sniff(handle)
    media_type = MEDIA_TYPES[kind.name] if kind else "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=media_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def accept_upload(upload, allowed: tuple[Kind, ...], *, field: str = "file") -> Accepted:
    """Check an upload and read it; a refused one is a ValidationError on `field` naming the
    file, for the services' callers to show by the field."""
    name = (getattr(upload, "name", "") or "file").rsplit("/", 1)[-1][:200]
    try:
        kind = check_upload(upload, allowed)
    except UploadError as error:
        raise ValidationError({field: f"{name}: {error}"}) from None
    upload.seek(0)
    return Accepted(kind, upload.read(), name)
