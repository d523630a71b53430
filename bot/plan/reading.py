"""Text from what a parent sends: pasted text, a .docx or a PDF.

Each refusal is a `PlanReadError` whose `problem` names the words the parent sees
(flows/plan_check.yml, `data.problems`), so nothing parent-facing lives here.
The bytes are read in memory and never written anywhere.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PDF_PAGES = 60
MAX_DOCX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_DOCX_PARAGRAPHS = 5_000
# A PDF page with less text than this is taken as a scanned image.
MIN_LETTERS_PER_PAGE = 40

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

PROBLEMS = (
    "too_large",
    "too_many_pages",
    "docx_too_big",
    "docx_too_many_paragraphs",
    "encrypted",
    "no_text",
    "doc",
    "image",
    "unknown_type",
    "unreadable",
    "not_a_plan",
)


class PlanReadError(Exception):
    def __init__(self, problem: str) -> None:
        assert problem in PROBLEMS, problem
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True, slots=True)
class PlanText:
    text: str
    kind: str  # "text", "docx" or "pdf"
    pages: int | None = None


_IMAGE_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
    b"BM",
)
_IMAGE_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".heic",
    ".heif",
    ".webp",
    ".tif",
    ".tiff",
    ".bmp",
)


def kind_of(filename: str, data: bytes) -> str:
    """What the bytes are, by their first bytes first and the name second."""
    name = filename.lower()
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if (
        data.startswith(b"\xd0\xcf\x11\xe0")
        or name.endswith((".doc", ".rtf"))
        or data.startswith(b"{\\rtf")
    ):
        return "doc"
    is_webp = data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    is_heic = data[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftypavif")
    if data.startswith(_IMAGE_MAGIC) or is_webp or is_heic or name.endswith(_IMAGE_SUFFIXES):
        return "image"
    if name.endswith((".txt", ".text", ".md")) or not name:
        return "text"
    return "unknown"


def read_upload(filename: str, data: bytes) -> PlanText:
    """The plan's text, or a PlanReadError that says what is wrong."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PlanReadError("too_large")
    kind = kind_of(filename, data)
    if kind == "pdf":
        return read_pdf(data)
    if kind == "docx":
        return read_docx(data)
    if kind in ("doc", "image"):
        raise PlanReadError(kind)
    if kind == "text":
        try:
            return PlanText(data.decode("utf-8-sig"), "text")
        except UnicodeDecodeError:
            raise PlanReadError("unknown_type") from None
    raise PlanReadError("unknown_type")


def read_docx(data: bytes) -> PlanText:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise PlanReadError("unreadable") from None
    with archive:
        # Sizes as the archive declares them, checked before anything is unpacked.
        if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_UNPACKED_BYTES:
            raise PlanReadError("docx_too_big")
        if "word/document.xml" not in archive.namelist():
            raise PlanReadError("unreadable")
    import docx  # python-docx: imported here, so the chat starts without it loaded

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception:
        raise PlanReadError("unreadable") from None
    lines: list[str] = []
    # Every paragraph in document order, table cells included (plans are often tables).
    for count, paragraph in enumerate(document.element.body.iter(f"{_W}p"), start=1):
        if count > MAX_DOCX_PARAGRAPHS:
            raise PlanReadError("docx_too_many_paragraphs")
        text = "".join(node.text or "" for node in paragraph.iter(f"{_W}t"))
        if text.strip():
            lines.append(text.strip())
    return PlanText("\n".join(lines), "docx")


def read_pdf(data: bytes) -> PlanText:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty password only to stop editing.
            try:
                opened = reader.decrypt("")
            except Exception:
                opened = 0
            if not opened:
                raise PlanReadError("encrypted")
        pages = len(reader.pages)
        if pages > MAX_PDF_PAGES:
            raise PlanReadError("too_many_pages")
        texts = [page.extract_text() or "" for page in reader.pages]
    except PlanReadError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError, RecursionError):
        raise PlanReadError("unreadable") from None
    text = "\n".join(texts)
    letters = sum(character.isalpha() for character in text)
    if pages == 0 or letters < MIN_LETTERS_PER_PAGE * max(1, min(pages, 3)):
        raise PlanReadError("no_text")
    return PlanText(text, "pdf", pages)
