"""File formats, field mapping, dates, encodings and URL lists, ingested into a real library.

Every file is made by the test: PDFs by hand (a minimal PDF with a text layer), Word
files with python-docx, pages served by a local ``http.server`` on 127.0.0.1.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from index.fields import FieldMap, FieldMapError
from index.ingest import ReadOptions

BODY = (
    "The harbour of Port Vell reopened on Monday after three weeks of repairs. "
    "Harbour master Ines Marquez said the new breakwater had cost 40 million euros."
)


def make_pdf(pages: list[list[str]], title: str | None = None) -> bytes:
    """A minimal PDF whose pages show ``lines`` in Helvetica (a real text layer)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    contents = []
    for lines in pages:
        escaped = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in lines]
        shown = " ".join(f"({line}) Tj T*" for line in escaped)
        stream = f"BT /F1 11 Tf 14 TL 72 720 Td {shown} ET".encode("latin-1")
        contents.append(add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream)))
    pages_id = len(objects) + len(pages) + 1
    kids = [
        add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, c, font))
        for c in contents
    ]
    add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    root = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    info = add(b"<< /Title (%s) >>" % title.encode("latin-1")) if title else None
    return pdf_file(objects, root, info)


def pdf_file(objects: list[bytes], root: int, info: int | None = None) -> bytes:
    """PDF objects (numbered from 1) written out with their cross-reference table and trailer."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"/Size %d /Root %d 0 R" % (len(objects) + 1, root) + (b" /Info %d 0 R" % info if info else b"")
    out += b"trailer\n<< %s >>\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref)
    return bytes(out)


def make_docx(title: str | None, paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    if title:
        document.add_paragraph(title, style="Title")
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def failure_for(report, name: str):
    found = [f for f in report.failed if name in f.path]
    assert found, f"{name} is not among the failures: {report.to_dict()}"
    return found[0]


# --- PDF and Word ------------------------------------------------------------------------


def test_pdf_and_docx(fresh_library, fresh_assistant, tmp_path):
    tmp_path = tmp_path / "in"  # beside the library's home, not around it
    tmp_path.mkdir()
    (tmp_path / "harbour.pdf").write_bytes(make_pdf(
        [["Date: 2025-04-16", "Source: Harbour Weekly",
          "The harbour of Port Vell reopened on Monday after the rail-",
          "ways to the quay were repaired."],
         ["Harbour master Ines Marquez said the new breakwater had cost 40 million euros."]],
        title="Port Vell harbour reopens",
    ))
    (tmp_path / "vineyard.docx").write_bytes(make_docx(
        "Vineyard harvest begins in Rioja",
        ["Date: September 4, 2025", "Source: Wine Daily",
         "Growers in Rioja started picking grapes on Thursday, two weeks earlier than usual.",
         "Cooperative president Luis Ortega said the heat had concentrated the sugar."],
        table=[["Grape", "Tonnes"], ["Tempranillo", "5400"]],
    ))
    (tmp_path / "scan.pdf").write_bytes(make_pdf([[]]))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\nthis is not really a PDF\n")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 not a zip archive at all")

    report = fresh_library.add_paths([tmp_path])

    assert sorted(report.added) == ["harbour", "vineyard"], report.to_dict()
    pdf = fresh_library.get("harbour")
    assert (pdf.title, pdf.date.isoformat(), pdf.source) == (
        "Port Vell harbour reopens", "2025-04-16", "Harbour Weekly")
    assert "after the railways to the quay were repaired" in pdf.text  # de-hyphenated across lines
    assert "40 million euros" in pdf.text and "Date:" not in pdf.text
    word = fresh_library.get("vineyard")
    assert (word.title, word.date.isoformat(), word.source) == (
        "Vineyard harvest begins in Rioja", "2025-09-04", "Wine Daily")
    assert word.text.startswith("Growers in Rioja") and "Tempranillo | 5400" in word.text
    assert len(report.failed) == 3
    assert "text layer" in failure_for(report, "scan.pdf").reason
    assert "PDF" in failure_for(report, "broken.pdf").reason
    assert ".docx" in failure_for(report, "broken.docx").reason
    hits = fresh_assistant.search("how much did the breakwater cost", k=1)
    assert hits[0].article_id == "harbour"


# --- Decompression bombs -----------------------------------------------------------------

MiB = 1024 * 1024


def make_docx_bomb(expanded: int) -> bytes:
    """A valid .docx whose document.xml holds ``expanded`` bytes of spaces, written streaming."""
    import zipfile

    normal = zipfile.ZipFile(io.BytesIO(make_docx(None, ["A normal paragraph."])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as bomb:
        for info in normal.infolist():
            if info.filename != "word/document.xml":
                bomb.writestr(info, normal.read(info))
        with bomb.open("word/document.xml", "w") as part:
            part.write(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
                       b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
                       b'<w:t xml:space="preserve">Spaces follow.')
            spaces = b" " * MiB
            for _ in range(expanded // MiB):
                part.write(spaces)
            part.write(b"</w:t></w:r></w:p></w:body></w:document>")
    return out.getvalue()


def make_pdf_bomb(expanded: int) -> bytes:
    """A one-page PDF whose content stream inflates (FlateDecode) to ``expanded`` bytes."""
    import zlib

    deflate = zlib.compressobj(9)
    stream = deflate.compress(b"BT /F1 11 Tf 72 720 Td (Spaces follow.) Tj ET\n")
    stream += b"".join(deflate.compress(b" " * MiB) for _ in range(expanded // MiB)) + deflate.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_file(objects, root=1)


def peak_memory_of_loading(path: Path) -> tuple[list, int]:
    """(what ``load_file`` yields for ``path``, peak bytes Python allocated meanwhile)."""
    import tracemalloc

    from index.ingest import load_file

    tracemalloc.start()
    try:
        items = list(load_file(path))
        return items, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_decompression_bombs_are_refused_and_the_batch_goes_on(fresh_library, tmp_path):
    """A 500 MB DOCX bomb and a 200 MB PDF flate bomb, each a few hundred KB on disk."""
    folder = tmp_path / "in"
    folder.mkdir()
    docx_bomb = folder / "bomb.docx"
    docx_bomb.write_bytes(make_docx_bomb(500 * MiB))
    pdf_bomb = folder / "bomb.pdf"
    pdf_bomb.write_bytes(make_pdf_bomb(200 * MiB))
    assert docx_bomb.stat().st_size < 2 * MiB and pdf_bomb.stat().st_size < 2 * MiB
    (folder / "harbour.pdf").write_bytes(make_pdf([["Title: Port Vell harbour reopens", BODY]]))
    (folder / "vineyard.docx").write_bytes(make_docx("Vineyard harvest begins", [BODY]))

    started = time.monotonic()
    report = fresh_library.add_paths([folder])

    assert sorted(report.added) == ["harbour", "vineyard"], report.to_dict()
    assert len(report.failed) == 2
    reason = failure_for(report, "bomb.docx").reason
    assert re.fullmatch(r"refused: the \.docx expands to 500\.\d MB \(limit 50 MB\), a possible zip bomb",
                        reason), reason
    reason = failure_for(report, "bomb.pdf").reason
    assert reason == "refused: a stream in the PDF expands to more than 20 MB, a possible decompression bomb"
    assert time.monotonic() - started < 60

    items, peak = peak_memory_of_loading(docx_bomb)
    assert [i.reason for i in items][0].startswith("refused:")
    assert peak < 5 * MiB, f"peak {peak / MiB:.1f} MiB for a 500 MiB bomb"  # only the directory is read
    items, peak = peak_memory_of_loading(pdf_bomb)
    assert [i.reason for i in items][0].startswith("refused:")
    assert peak < 80 * MiB, f"peak {peak / MiB:.1f} MiB for a 200 MiB stream"  # about the 20 MB cap


def test_docx_caps_on_ratio_and_parts():
    """Under the total cap, one highly compressed part is still refused; so are too many parts."""
    from index.documents import DocumentError, docx_text

    ratio = r"refused: word/document\.xml in the \.docx expands [\d,]+ times \(.*limit 100:1\)"
    with pytest.raises(DocumentError, match=ratio):
        docx_text(make_docx_bomb(40 * MiB))
    normal = make_docx("Vineyard harvest begins", [BODY])
    with pytest.raises(DocumentError, match=r"refused: the \.docx has \d+ parts \(limit 5\)"):
        docx_text(normal, max_parts=5)
    with pytest.raises(DocumentError, match=r"expands to [\d.]+ KB \(limit 10 KB\)"):
        docx_text(normal, max_expanded=10 * 1024)
    assert docx_text(normal) == (BODY, "Vineyard harvest begins")


def test_pdf_caps_on_pages_and_text():
    from index.documents import DocumentError, pdf_text

    pdf = make_pdf([[BODY], [BODY], [BODY]])
    with pytest.raises(DocumentError, match=r"refused: the PDF has 3 pages \(limit 2\)"):
        pdf_text(pdf, max_pages=2)
    with pytest.raises(DocumentError, match=r"refused: the PDF holds more than 200 characters of text"):
        pdf_text(pdf, max_chars=200)
    with pytest.raises(DocumentError, match=r"a stream in the PDF expands to more than 1 MB"):
        pdf_text(make_pdf_bomb(2 * MiB), max_stream=MiB)
    text, _ = pdf_text(pdf)
    assert text.count("Port Vell") == 3


# --- CSV, JSON and the field mapping -----------------------------------------------------


def write_csv(path: Path, header: list[str], rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_csv_with_aliases_and_bad_rows(fresh_library, tmp_path):
    path = write_csv(
        tmp_path / "feed.csv",
        ["Headline", "Body", "Published At", "Outlet", "Link"],
        [
            ["Bridge opens", "The river bridge opened to traffic on Sunday.\nIt carries four lanes.",
             "2025-04-16T08:30:00Z", "City News", "https://example.org/bridge"],
            ["Undated note", "The library extended its opening hours for the summer.", "", "City News", ""],
            ["Bad date", "The zoo welcomed a baby giraffe.", "the day after tomorrow", "City News", ""],
            ["No text", "", "2025-01-01", "City News", ""],
        ],
    )

    report = fresh_library.add_paths([path])

    bridge_id = hashlib.sha1(b"https://example.org/bridge").hexdigest()[:16]
    # Records without id or url are numbered by row; failures name the line the row ends on.
    assert sorted(report.added) == sorted([bridge_id, "feed-2"]), report.to_dict()
    bridge = fresh_library.get(bridge_id)
    assert (bridge.title, bridge.date.isoformat(), bridge.source, bridge.url) == (
        "Bridge opens", "2025-04-16", "City News", "https://example.org/bridge")
    assert "four lanes" in bridge.text  # a quoted multi-line field stays one record
    assert fresh_library.get("feed-2").date is None  # an undated article is still indexed
    assert "unreadable date" in failure_for(report, "feed.csv:5").reason
    assert "no 'text'" in failure_for(report, "feed.csv:6").reason


def test_explicit_field_map(fresh_library, tmp_path):
    semicolons = write_csv(
        tmp_path / "export.csv",
        ["story_id", "story_title", "when", "story_text"],
        [["tram-2031", "Tram line extended", "September 4, 2025",
          "The tram line now reaches the airport, the transport authority said."]],
        delimiter=";",
    )
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({
        "story_id": "ferry-2031", "story_title": "Ferry fares cut", "when": "2025-05-02",
        "story_text": "Ferry fares to the islands fall by a third from June.", "text": "not this one",
    }) + "\n", encoding="utf-8")
    fields = FieldMap.parse(["id=story_id", "title=story_title", "date=when", "text=story_text"])

    report = fresh_library.add_paths([semicolons, records], options=ReadOptions(fields=fields))

    assert sorted(report.added) == ["ferry-2031", "tram-2031"], report.to_dict()
    tram = fresh_library.get("tram-2031")
    assert (tram.title, tram.date.isoformat()) == ("Tram line extended", "2025-09-04")
    assert fresh_library.get("ferry-2031").text == "Ferry fares to the islands fall by a third from June."

    wrong = FieldMap.parse(["text=article_body"])
    report = fresh_library.add_paths([semicolons], options=ReadOptions(fields=wrong))
    assert report.added == []
    reason = failure_for(report, "export.csv").reason
    assert "text=article_body" in reason and "story_text" in reason  # names the header it has
    with pytest.raises(FieldMapError, match="unknown field 'body'"):
        FieldMap.parse(["body=text"])
    with pytest.raises(FieldMapError, match="FIELD=COLUMN"):
        FieldMap.parse(["text"])


def test_json_aliases_and_dates(fresh_library, tmp_path):
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    (tmp_path / "newsapi.json").write_text(json.dumps([
        {"source": {"id": None, "name": "Harbour Weekly"}, "headline": "Harbour reopens",
         "content": BODY, "published_at": "2025-04-16T10:00:00+02:00", "link": "https://example.org/h"},
        {"id": "iso-date", "title": "ISO", "body": "Text with an ISO date.", "published": "2025-04-16"},
        {"id": "long-date", "title": "Long", "text": "Text with a long date.", "date": "September 4, 2025"},
        {"id": "no-date", "title": "None", "text": "Text without any date at all."},
        # no date field: the dateline's date is the article's; a date without a year is not one
        {"id": "dateline", "title": "Talks", "text": "HANOI, Sept. 4, 2025 (VNA) - The leaders met."},
        {"id": "no-year", "title": "Talks", "text": "The leaders met on September 4 in Hanoi."},
    ]), encoding="utf-8")
    (tmp_path / "inline.txt").write_text("date 2025-04-16\nThe council met on Wednesday.", encoding="utf-8")

    report = fresh_library.add_paths([tmp_path])

    assert report.failed == [], report.to_dict()
    harbour = fresh_library.get(hashlib.sha1(b"https://example.org/h").hexdigest()[:16])
    assert (harbour.title, harbour.source, harbour.date.isoformat()) == (
        "Harbour reopens", "Harbour Weekly", "2025-04-16")
    dates = {i: (a.date.isoformat() if (a := fresh_library.get(i)).date else None)
             for i in ("iso-date", "long-date", "no-date", "inline", "dateline", "no-year")}
    assert dates == {"iso-date": "2025-04-16", "long-date": "2025-09-04", "no-date": None,
                     "inline": "2025-04-16", "dateline": "2025-09-04", "no-year": None}
    assert fresh_library.get("inline").text == "The council met on Wednesday."


# --- encodings ---------------------------------------------------------------------------

FRENCH = ("Le café du port a rouvert lundi après trois semaines de travaux. Le maître du port a "
          "déclaré que la digue avait coûté 40 millions d'euros. « C'est une réussite », a-t-il ajouté.")
GERMAN = ("Der Hafen von Kiel wurde am Montag nach drei Wochen Reparaturarbeiten wieder geöffnet. "
          "Die Bürgermeisterin sagte, die neue Mole habe 40 Millionen Euro gekostet. Größere Schiffe "
          "können jetzt einlaufen.")
SMART = ("The minister said: “We will build the railway.” The plan – worth €40 million – was "
         "approved on Monday. Critics called it naïve.")


def test_legacy_encodings_are_decoded_and_binary_refused(fresh_library, tmp_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "french-cp1252.txt").write_bytes(FRENCH.encode("cp1252"))
    (folder / "german-latin1.txt").write_bytes(GERMAN.encode("latin-1"))
    (folder / "smart-cp1252.md").write_bytes(("# Railway plan\n\n" + SMART).encode("cp1252"))
    (folder / "utf16.txt").write_bytes(codecs.BOM_UTF16_LE + ("Title: Café\n\n" + FRENCH).encode("utf-16-le"))
    (folder / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    (folder / "nul.txt").write_bytes(b"abc\x00\x00\x00\x01\x02" * 200)
    (folder / "tiny.txt").write_bytes("Le caf\xe9 du port.".encode("latin-1"))

    report = fresh_library.add_paths([folder])

    decoded = ["french-cp1252", "german-latin1", "smart-cp1252", "utf16"]
    assert sorted(report.added) == decoded, report.to_dict()
    assert fresh_library.get("french-cp1252").text == FRENCH
    assert fresh_library.get("german-latin1").text == GERMAN
    assert fresh_library.get("smart-cp1252").text == SMART
    utf16 = fresh_library.get("utf16")
    assert (utf16.title, utf16.text) == ("Café", FRENCH)
    for name in ("photo.txt", "nul.txt"):
        failure = failure_for(report, name)
        assert name in failure.path and ("binary" in failure.reason or "no text encoding" in failure.reason)
    assert "UTF-8" in failure_for(report, "tiny.txt").reason  # too little text to tell: refused


# --- record files of any size ------------------------------------------------------------


def news_record(n: int, body: str = "") -> dict:
    return {"id": f"wire-{n}", "title": f"Wire story {n}", "date": "2025-04-16", "source": "Wire",
            "text": body or f"Story {n}: the port of Kiel handled {n} ships on Monday, officials said."}


def test_record_files_over_the_file_cap_are_streamed(fresh_library, tmp_path, monkeypatch):
    """A news archive exported as one big JSONL or CSV is read record by record: the file cap
    is for single documents; a record has its own cap, and bytes in another encoding than the
    file's start fail only their record."""
    import index.ingest
    import index.streaming

    monkeypatch.setattr(index.ingest, "MAX_FILE_BYTES", 2_000)
    monkeypatch.setattr(index.ingest, "MAX_RECORD_CHARS", 1_000)
    monkeypatch.setattr(index.streaming, "SAMPLE_BYTES", 600)  # later lines are outside the sample
    archive = tmp_path / "archive.jsonl"
    lines = [json.dumps(news_record(n), ensure_ascii=False).encode() for n in range(1, 31)]
    # Line 10 is over the record cap, line 20 has a cp1252 byte in a UTF-8 file.
    lines[9] = json.dumps(news_record(10, "Le café du port a rouvert. " * 100)).encode()
    lines[19] = json.dumps(news_record(20, "Le café du port a rouvert lundi.")).encode().replace(
        b"\\u00e9", "é".encode("cp1252"))
    lines[24] = json.dumps(news_record(25, "Le café du port a rouvert lundi."), ensure_ascii=False).encode()
    archive.write_bytes(b"\n".join(lines) + b"\n")
    assert archive.stat().st_size > 2_000
    table = tmp_path / "archive.csv"
    harbour = "Le maître du port a déclaré lundi que {} navires\nsont arrivés."
    rows = [["Headline", "Body", "Published At"]] + [
        [f"Harbour note {n}", harbour.format(n), "2025-04-16"] for n in range(1, 41)
    ]
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    table.write_bytes(buffer.getvalue().encode("cp1252"))  # told from the first 600 bytes
    (tmp_path / "big.txt").write_text("The port reopened. " * 200, encoding="utf-8")

    report = fresh_library.add_paths([archive, table, tmp_path / "big.txt"])

    assert sorted(report.added) == sorted(
        [f"wire-{n}" for n in range(1, 31) if n not in (10, 20)] + [f"archive-{n}" for n in range(1, 41)]
    ), report.to_dict()
    assert fresh_library.get("wire-25").text == "Le café du port a rouvert lundi."
    assert fresh_library.get("archive-40").text == harbour.format(40)
    assert "longer than 1,000 characters" in failure_for(report, "archive.jsonl:10").reason
    assert "not UTF-8" in failure_for(report, "archive.jsonl:20").reason
    assert "use JSONL or CSV" in failure_for(report, "big.txt").reason


def test_utf16_record_files_and_a_truncated_end(tmp_path):
    from index.ingest import load_file

    table = tmp_path / "wide.csv"
    bom = codecs.BOM_UTF16_LE
    table.write_bytes(bom + "title,text\nCafé,Le café du port a rouvert.\n".encode("utf-16-le"))
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes(bom + '{"title": "Café", "text": "Le café"}\n'.encode("utf-16-le") + b"\x00")

    assert [(a.title, a.text) for a in load_file(table)] == [("Café", "Le café du port a rouvert.")]
    article, failure = load_file(cut)
    assert article.text == "Le café"  # the records before the damage are kept
    assert "not UTF-16" in failure.reason and failure.path == str(cut)


def test_a_record_file_larger_than_memory_wants_is_read_in_bounded_memory(tmp_path):
    """The real caps: a 60 MB JSONL is read whole without being held in memory."""
    import tracemalloc

    from index.ingest import MAX_FILE_BYTES, load_file

    path = tmp_path / "large.jsonl"
    body = "The port of Kiel handled more ships than ever on Monday, officials said. " * 600
    with path.open("w", encoding="utf-8") as handle:
        n = 0
        while handle.tell() <= MAX_FILE_BYTES + 10 * 1024 * 1024:
            n += 1
            handle.write(json.dumps(news_record(n, f"{body} Record {n}.")) + "\n")
    tracemalloc.start()
    try:
        count = last = 0
        for item in load_file(path):
            assert not hasattr(item, "reason"), item
            count, last = count + 1, item
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == n and last.text.endswith(f"Record {n}.")
    size = path.stat().st_size
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB while reading {size / 2**20:.0f} MiB"


# --- URL lists ---------------------------------------------------------------------------

PAGE = (
    "<html><head><title>Port Vell harbour reopens</title></head><body><article>"
    "<h1>Port Vell harbour reopens</h1>"
    + "".join(f"<p>{BODY} Paragraph {i} says the fishing fleet returns in spring.</p>" for i in range(6))
    + "<script>var SECRET = 'SCRIPT_SECRET';</script></article></body></html>"
)


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        routes = {
            "/harbour.html": ("text/html; charset=utf-8", PAGE.encode()),
            "/note.txt": ("text/plain; charset=cp1252", ("Title: Note\n\n" + FRENCH).encode("cp1252")),
            "/report.pdf": ("application/pdf", make_pdf([["Title: Quarterly report", BODY]])),
            "/big.html": ("text/html", b"<p>" + b"x" * 50_000 + b"</p>"),
            "/data.bin": ("application/octet-stream", b"\x00\x01"),
        }
        if self.path == "/slow.html":
            time.sleep(3)
        if self.path == "/trickle.html":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(12):  # 12 x 0.25 s: each read is quick, the whole is not
                self.wfile.write(b"<p>drip</p>")
                self.wfile.flush()
                time.sleep(0.25)
            return
        if self.path not in routes:
            self.send_error(404, "Not Found")
            return
        content_type, body = routes[self.path]
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """The client gave up on a slow page on purpose: a broken pipe here is expected."""


@pytest.fixture
def web() -> Iterator[str]:
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_url_list(fresh_library, tmp_path, web, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    urls = tmp_path / "reading.urls"
    urls.write_text(
        "# pages to index\n"
        f"{web}/harbour.html\n\n"
        f"{web}/note.txt   # a plain-text page in cp1252\n"
        f"{web}/report.pdf\n"
        f"{web}/missing.html\n{web}/slow.html\n{web}/trickle.html\n{web}/big.html\n{web}/data.bin\n"
        "ftp://example.org/file.txt\n",
        encoding="utf-8",
    )
    options = ReadOptions(fetch_urls=True, fetch_timeout=1.0, fetch_max_bytes=20_000)

    started = time.monotonic()
    report = fresh_library.add_paths([urls], options=options)
    elapsed = time.monotonic() - started

    def id_of(path: str) -> str:
        return hashlib.sha1(f"{web}{path}".encode()).hexdigest()[:16]

    assert sorted(report.added) == sorted(id_of(p) for p in ("/harbour.html", "/note.txt", "/report.pdf"))
    harbour = fresh_library.get(id_of("/harbour.html"))
    assert harbour.title == "Port Vell harbour reopens" and harbour.url == f"{web}/harbour.html"
    assert "Ines Marquez" in harbour.text and "SCRIPT_SECRET" not in harbour.text
    assert harbour.path == str(urls)
    note = fresh_library.get(id_of("/note.txt"))
    assert (note.title, note.text) == ("Note", FRENCH)
    assert fresh_library.get(id_of("/report.pdf")).title == "Quarterly report"
    reasons = {f.path.rsplit(":", 1)[1]: f.reason for f in report.failed}
    assert len(reasons) == 6, report.to_dict()
    assert "HTTP 404" in reasons["6"] and "/missing.html" in reasons["6"]
    assert "timed out after 1 s" in reasons["7"] and "timed out after 1 s" in reasons["8"]
    assert "more than the 20,000 bytes allowed" in reasons["9"]
    assert "content type" in reasons["10"]
    assert "not an http(s) URL" in reasons["11"]
    assert elapsed < 30

    # Uploads through the web API read files with the default options: lists are not fetched.
    report = fresh_library.add_paths([urls])
    assert "fetched only by" in failure_for(report, "reading.urls").reason


@pytest.mark.slow
def test_url_list_cli_uses_the_fetch_settings(tmp_path, web, run_cli):
    urls = tmp_path / "pages.urls"
    urls.write_text(f"{web}/big.html\n{web}/missing.html\n", encoding="utf-8")
    env = {"NEWSQA_FETCH_MAX_BYTES": "2048", "NEWSQA_FETCH_TIMEOUT": "5",
           "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"}

    proc = run_cli(tmp_path / "home", "index", "add", str(urls), "--json", extra_env=env)

    assert proc.returncode == 1, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    assert report["added"] == [] and report["articles"] == 0
    reasons = [f["reason"] for f in report["failed"]]
    assert reasons == [f"{web}/big.html: 50,007 bytes, more than the 2,048 bytes allowed",
                       f"{web}/missing.html: HTTP 404 Not Found"]
