"""Low-level Word parts that python-docx has no API for: fields, settings and reproducible files.

Used twice: by ``templates/build_templates.py`` (page numbers, the table of contents and caption numbers
are Word fields) and by ``render.py`` (every rendered paper asks Word to refresh its fields on opening,
carries fixed core-property dates and is written as a byte-for-byte reproducible zip).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from docx.document import Document as DocumentObject
from docx.opc.packuri import PackURI
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

# Settings children that must follow <w:updateFields> (ECMA-376 CT_Settings order).
_AFTER_UPDATE_FIELDS = (
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr",
    "attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType",
    "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)


def _run(paragraph: Paragraph, child: OxmlElement) -> None:
    run = OxmlElement("w:r")
    run.append(child)
    paragraph._p.append(run)


def _fld_char(kind: str, dirty: bool = False) -> OxmlElement:
    element = OxmlElement("w:fldChar")
    element.set(qn("w:fldCharType"), kind)
    if dirty:
        element.set(qn("w:dirty"), "true")
    return element


def add_field(paragraph: Paragraph, instruction: str, cached: str, dirty: bool = False) -> None:
    """Append a complex field (PAGE, NUMPAGES, TOC, SEQ) whose last computed value is ``cached``.

    The cached text is what python-docx (and a reader that does not update fields) sees; Word
    recomputes the field when it opens the file because the settings ask it to.
    """
    _run(paragraph, _fld_char("begin", dirty))
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    _run(paragraph, instr)
    _run(paragraph, _fld_char("separate"))
    text = OxmlElement("w:t")
    text.set(qn("xml:space"), "preserve")
    text.text = cached
    _run(paragraph, text)
    _run(paragraph, _fld_char("end"))


def set_update_fields(document: DocumentObject) -> None:
    """Ask Word to refresh every field (contents, page numbers, captions) when the file is opened."""
    settings = document.settings.element
    existing = settings.find(qn("w:updateFields"))
    if existing is not None:
        existing.set(qn("w:val"), "true")
        return
    element = OxmlElement("w:updateFields")
    element.set(qn("w:val"), "true")
    for name in _AFTER_UPDATE_FIELDS:
        anchor = settings.find(qn(f"w:{name}"))
        if anchor is not None:
            anchor.addprevious(element)
            return
    settings.append(element)


def has_update_fields(document: DocumentObject) -> bool:
    element = document.settings.element.find(qn("w:updateFields"))
    return element is not None and element.get(qn("w:val")) in ("true", "1", "on")


def set_fixed_properties(document: DocumentObject, title: str, author: str, when: dt.date) -> None:
    """Core properties from the cycle or meeting, never from the clock, so two renders are equal."""
    stamp = dt.datetime(when.year, when.month, when.day, 9, 0, 0)
    props = document.core_properties
    props.title = title
    props.author = author
    props.last_modified_by = author
    props.created = stamp
    props.modified = stamp
    props.last_printed = stamp
    props.revision = 1


# Parts that are compressed already (images): deflating them again costs time and saves nothing.
_STORED = (".png", ".jpg", ".jpeg", ".gif")
# zlib level 3, not 6, for the XML parts: a pack's thirteen papers (11 MB of XML) deflated in 29 ms
# instead of 82, for papers about a fifth larger (the charts, stored as they are, are most of a paper).
XML_LEVEL = 3


def _entry(name: str, when: dt.date) -> zipfile.ZipInfo:
    """A zip entry with the paper's fixed date, so equal content gives equal bytes."""
    info = zipfile.ZipInfo(name, date_time=(max(when.year, 1980), when.month, when.day, 9, 0, 0))
    info.compress_type = zipfile.ZIP_STORED if name.lower().endswith(_STORED) else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


class _FixedDateZip:
    """python-docx's physical package writer (``write``, ``close``) over a zip of fixed-date entries."""

    def __init__(self, stream: io.BytesIO, when: dt.date) -> None:
        self._zip = zipfile.ZipFile(stream, "w")
        self._when = when

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        self._zip.writestr(_entry(pack_uri.membername, self._when), blob, compresslevel=XML_LEVEL)

    def close(self) -> None:
        self._zip.close()


def reproducible_docx(document: DocumentObject, when: dt.date) -> bytes:
    """The document as a reproducible .docx, in one pass.

    What python-docx's ``Document.save`` does (each part prepared, then the content types, the
    package's relationships and every part written), but into fixed-date entries and with images
    stored as they are: a saved paper is then not unzipped and compressed a second time by
    ``reproducible_zip``, which cost about a quarter of rendering a paper.
    """
    package = document.part.package
    parts = list(package.parts)
    for part in parts:
        part.before_marshal()
    buffer = io.BytesIO()
    writer = _FixedDateZip(buffer, when)
    PackageWriter._write_content_types_stream(writer, parts)
    PackageWriter._write_pkg_rels(writer, package.rels)
    PackageWriter._write_parts(writer, parts)
    writer.close()
    return buffer.getvalue()


def reproducible_zip(data: bytes, when: dt.date) -> bytes:
    """Rewrite a .docx (a zip) with fixed entry dates so equal content gives equal bytes (the built
    templates; papers are written by ``reproducible_docx``)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w") as target:
        for item in source.infolist():
            target.writestr(_entry(item.filename, when), source.read(item.filename))
    return target_buffer.getvalue()


def _paragraph_style_names(document: DocumentObject) -> dict[str | None, str]:
    """Paragraph style names by style id, the default style under None: what ``Paragraph.style``
    resolves one paragraph at a time (a search of the styles part each time, about a tenth of a
    paper's rendering), read once. An unknown id falls back to the default, as python-docx does."""
    from docx.enum.style import WD_STYLE_TYPE

    styles = document.styles
    names: dict[str | None, str] = {s.style_id: s.name for s in styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
    default = styles.default(WD_STYLE_TYPE.PARAGRAPH)
    names[None] = default.name if default is not None else ""
    return names


def fill_contents(document: DocumentObject) -> int:
    """Replace the table-of-contents field with the paper's Heading 1 and 2 as real paragraphs.

    Written at drafting, so the contents are there in any reader (LibreOffice shows a TOC field's
    placeholder until someone updates it). Returns the number of entries written (0: no contents).
    """
    body = document.element.body
    field = next((p for p in body.iter(qn("w:p"))
                  if any((t.text or "").strip().startswith("TOC") for t in p.iter(qn("w:instrText")))), None)
    if field is None:
        return 0
    entries = []
    names = _paragraph_style_names(document)
    default = names.get(None, "")
    for paragraph in document.paragraphs:
        style = names.get(paragraph._p.style, default)
        if style in ("Heading 1", "Heading 2") and paragraph.text.strip():
            entries.append((style == "Heading 2", paragraph.text.strip()))
    anchor = field
    for nested, text in entries:
        new = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:after"), "40")
        ppr.append(spacing)
        if nested:
            indent = OxmlElement("w:ind")
            indent.set(qn("w:left"), "360")
            ppr.append(indent)
        new.append(ppr)
        run = OxmlElement("w:r")
        if not nested:
            rpr = OxmlElement("w:rPr")
            rpr.append(OxmlElement("w:b"))
            run.append(rpr)
        t = OxmlElement("w:t")
        t.set(qn("xml:space"), "preserve")
        t.text = text
        run.append(t)
        new.append(run)
        anchor.addnext(new)
        anchor = new
    body.remove(field)
    return len(entries)


def keep_rows_together(document: DocumentObject) -> None:
    """Every table row stays on one page (w:cantSplit); header rows already repeat (w:tblHeader)."""
    for row in document.element.body.iter(qn("w:tr")):
        trpr = row.find(qn("w:trPr"))
        if trpr is None:
            trpr = OxmlElement("w:trPr")
            row.insert(0, trpr)
        if trpr.find(qn("w:cantSplit")) is None:
            trpr.insert(0, OxmlElement("w:cantSplit"))
