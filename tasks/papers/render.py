"""Render a template with its context into a verified, reproducible .docx (as bytes).

Rendering happens in memory; the bytes are re-opened with python-docx before anyone writes them, so a
corrupt paper is never written. Core-property dates come from the meeting and zip entries carry a fixed
date, so the same store and templates give the same bytes. The text of every paper is scanned for what
must never be printed: coordinates, police.uk street locations and crime IDs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.opc.part import XmlPart
from docx.shared import Mm
from docxtpl import DocxTemplate, InlineImage
from jinja2 import TemplateError
from lxml import etree

from tasks.papers.common import Built, ImageRef
from tasks.papers.docx_parts import (
    fill_contents,
    keep_rows_together,
    reproducible_docx,
    set_fixed_properties,
    set_update_fields,
)
from tasks.papers.lint import W_NS, jinja_environment
from tasks.papers.memo import Recent
from tasks.papers.registry import PaperJob

COORDINATE = re.compile(r"(?<![\w.])-?\d{1,3}\.\d{4,}(?![\d])")
STREET = re.compile(r"\bOn or near\b[^\n]{0,60}", re.IGNORECASE)
HEX64 = re.compile(r"\b[0-9a-f]{64}\b")
_TEXT_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes)\.xml$")


class RenderError(RuntimeError):
    """A template could not be rendered with its context; the message names the template."""


@dataclass(frozen=True)
class Rendered:
    """One rendered paper, ready to be checked and written into the pack."""

    kind: str
    version: str
    file_name: str
    title: str
    data: bytes
    sha256: str
    template: str
    template_sha256: str
    input_file_ids: tuple[int, ...]
    source_runs: tuple[str, ...]


def _materialise(tpl: DocxTemplate, value: Any) -> Any:
    """Replace chart references by docxtpl images bound to this template."""
    if isinstance(value, ImageRef):
        return InlineImage(tpl, value.path, width=Mm(value.width_mm))
    if isinstance(value, dict):
        return {key: _materialise(tpl, item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_materialise(tpl, item) for item in value]
    return value


_CLEANED = Recent(48)  # template parts (body, headers, footers): about four a paper, fourteen papers
_SOUND = Recent(256)  # digests of parts kept as bytes (theme, fonts, web settings) that parsed as XML


class _CleanedOnce(DocxTemplate):
    """docxtpl's template, its clean-up of a part's XML (``patch_xml``: a score of regular expressions
    over the whole text, before Jinja sees it) done once per process for each template part.

    The text cleaned is the template's own, the same for every partnership: in a py-spy profile of a
    national run the clean-up was an eighth of rendering a paper. What is cleaned depends on the text
    alone, so an answer kept for equal text is the answer.
    """

    def patch_xml(self, src_xml: str) -> str:
        found = _CLEANED.get(src_xml)
        if found is None:
            found = super().patch_xml(src_xml)
            _CLEANED.put(src_xml, found)
        return found


def render_docx(template: Path, context: dict[str, Any], title: str, author: str, when: dt.date) -> bytes:
    """The rendered paper as bytes; RenderError names the template and what went wrong."""
    tpl = _CleanedOnce(str(template))
    try:
        tpl.render(_materialise(tpl, context), jinja_env=jinja_environment())
    except TemplateError as exc:
        raise RenderError(f"template {template}: {exc.__class__.__name__}: {exc}") from exc
    except (etree.XMLSyntaxError, ValueError, KeyError) as exc:
        raise RenderError(f"template {template}: rendering produced an unusable document: {exc}") from exc
    fill_contents(tpl.docx)
    keep_rows_together(tpl.docx)
    set_update_fields(tpl.docx)
    set_fixed_properties(tpl.docx, title, author, when)
    data = reproducible_docx(tpl.docx, when)  # docxtpl's save adds nothing here: no media are replaced
    verify_docx(data, str(template))
    return data


def verify_docx(data: bytes, origin: str) -> None:
    """Re-open a rendered paper as Word would need it: a zip python-docx can read, every part XML.

    Opening it with python-docx parses the content types, the relationships and every part it knows
    as XML; only the XML parts it keeps as plain bytes are parsed here besides (each part once: this
    check ran on every paper of a national run, twice over). Those parts (theme, font table, web
    settings) come unchanged from the template, so a part whose bytes have parsed before in this
    process is known to parse: it is recognised by its digest (a seventh of rendering a paper, parsed
    afresh, in a py-spy profile of a national run)."""
    try:
        document = Document(io.BytesIO(data))
        parsed = {"[Content_Types].xml", "_rels/.rels"}
        for part in document.part.package.iter_parts():
            parsed.add(part.partname.rels_uri.membername)
            if isinstance(part, XmlPart):
                parsed.add(part.partname.membername)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                if name.endswith((".xml", ".rels")) and name not in parsed:
                    _parses(archive.read(name))
    except Exception as exc:  # noqa: BLE001 - any failure means the file must not be written
        raise RenderError(f"{origin}: the rendered document does not re-open: {exc}") from exc


def _parses(blob: bytes) -> None:
    """Parse a part as XML (raising if it is not), unless the same bytes parsed before."""
    digest = hashlib.sha256(blob).digest()
    if _SOUND.get(digest) is None:
        etree.fromstring(blob)
        _SOUND.put(digest, True)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def docx_text(data: bytes) -> str:
    """All text of a paper (body, tables, headers, footers), one paragraph per line."""
    lines: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in sorted(n for n in archive.namelist() if _TEXT_PARTS.match(n)):
            root = etree.fromstring(archive.read(name))
            for paragraph in root.iter(f"{{{W_NS}}}p"):
                lines.append("".join(t.text or "" for t in paragraph.iter(f"{{{W_NS}}}t")))
    return "\n".join(lines)


def forbidden_content(text: str) -> tuple[list[str], list[str]]:
    """(problems certain from the text alone, 64-hex strings to look up as crime IDs)."""
    problems = [f"a coordinate-like number {m!r}" for m in COORDINATE.findall(text)]
    problems += [f"a police.uk street location {m.strip()[:40]!r}" for m in STREET.findall(text)]
    return problems, sorted(set(HEX64.findall(text)))


def render_job(job: PaperJob, built: Built, author: str, when: dt.date) -> Rendered:
    """Render one paper of the pack (plain function, used by the task and the benchmark)."""
    data = render_docx(Path(job.template), built.context, f"{job.title} {job.label}", author, when)
    return Rendered(job.kind, job.version, job.file_name, job.title, data, sha256(data), job.template,
                    job.template_sha256, built.input_file_ids, built.source_runs)
