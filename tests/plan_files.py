"""Draft plans as files, built in the test: .docx with python-docx, PDF by hand."""

from __future__ import annotations

import io

import docx

SECTION_F = [
    "Sam will have access to speech and language therapy.",
    "Sam would benefit from regular opportunities to practise social skills.",
    "A speech and language therapist will work with Sam individually for 30 minutes once a week.",
    "A trained teaching assistant will deliver a phonics programme to Sam in a group of no "
    "more than 4 pupils for 20 minutes daily.",
]

PLAN_LINES = [
    "Education, Health and Care Plan",
    "Contents",
    "Section F: Special educational provision ........ 4",
    "Section A: The views, interests and aspirations of Sam and his parents",
    "Sam likes trains and swimming.",
    "Section B: Special educational needs",
    "Sam has difficulty with speech sounds and finds it hard to join in with other children.",
    "Section E: Outcomes",
    "By the end of Year 4 Sam will read simple books on his own.",
    "Section F: Special educational provision",
    *SECTION_F,
    "Section G: Health provision",
    "Sam will see the community paediatrician once a year.",
    "Section I: Placement",
    "Oak Tree Primary School",
]


def plan_docx(lines: list[str] = PLAN_LINES, in_table: bool = True) -> bytes:
    document = docx.Document()
    document.add_heading(lines[0])
    if in_table:
        # Plans are often tables: each section's heading, then a cell of text.
        table = document.add_table(rows=0, cols=1)
        for line in lines[1:]:
            table.add_row().cells[0].text = line
    else:
        for line in lines[1:]:
            document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def plan_pdf(pages: list[list[str]] | None = None, encrypt: str | None = None) -> bytes:
    """A small PDF whose pages hold these lines as real text (Helvetica)."""
    pages = pages if pages is not None else [PLAN_LINES]
    objects: list[bytes] = []
    font_id = 3
    page_ids: list[int] = []
    streams: list[bytes] = []
    for lines in pages:
        body = "BT /F1 10 Tf 40 800 Td 12 TL " + " ".join(
            f"({_escape(line)}) Tj T*" for line in lines
        )
        streams.append((body + " ET").encode("latin-1"))
    # 1 catalog, 2 pages, 3 font, then (page, content) pairs.
    next_id = 4
    for _ in pages:
        page_ids.append(next_id)
        next_id += 2
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for pid, stream in zip(page_ids, streams, strict=True):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {pid + 1} 0 R "
            f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    data = out.getvalue()
    if encrypt is None:
        return data
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=encrypt, owner_password="owner")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    return encrypted.getvalue()
