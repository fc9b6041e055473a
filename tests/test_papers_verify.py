"""A rendered paper is checked once, when it is rendered (tasks/papers/render.py: verify_docx); the
pack then only proves each file on disk is those very bytes (tasks/papers/pack.py: _atomic_write)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from tasks.papers import render
from tasks.papers.pack import _atomic_write
from tasks.papers.registry import TEMPLATES_DIR
from tasks.papers.render import RenderError, verify_docx

SHIPPED = (TEMPLATES_DIR / "agenda.docx").read_bytes()


def _with_part(data: bytes, name: str, content: bytes) -> bytes:
    """The same package with part ``name`` replaced (or added) by ``content``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            if item.filename != name:
                target.writestr(item, source.read(item.filename))
        target.writestr(name, content)
    return out.getvalue()


def test_a_whole_document_passes():
    verify_docx(SHIPPED, "agenda.docx")


@pytest.mark.parametrize("name", ["word/document.xml", "[Content_Types].xml", "word/_rels/document.xml.rels",
                                  "customXml/item9.xml"])
def test_broken_xml_in_any_part_is_refused_naming_the_origin(name):
    broken = _with_part(SHIPPED, name, b"<w:document><unclosed></w:document>")
    with pytest.raises(RenderError, match=r"^agenda\.docx: the rendered document does not re-open"):
        verify_docx(broken, "agenda.docx")


def test_a_file_that_is_not_a_zip_is_refused():
    with pytest.raises(RenderError, match="does not re-open"):
        verify_docx(b"PK not really", "agenda.docx")


def test_a_paper_is_written_only_when_it_reads_back_as_the_rendered_bytes(tmp_path: Path):
    target = tmp_path / "01 Agenda.docx"
    _atomic_write(target, SHIPPED, hashlib.sha256(SHIPPED).hexdigest())
    assert target.read_bytes() == SHIPPED
    with pytest.raises(OSError, match="does not read back as the paper rendered"):
        _atomic_write(tmp_path / "02 Minutes.docx", SHIPPED, "0" * 64)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01 Agenda.docx"]  # no file, no temporary left


def test_a_part_known_to_parse_is_not_parsed_again_but_a_changed_one_is(monkeypatch):
    """The parts kept as bytes (theme, fonts) come unchanged from the template: parsed once a process."""
    verify_docx(SHIPPED, "agenda.docx")
    parsed: list[int] = []
    real = render.etree  # counted here only, not in python-docx's own parsing
    monkeypatch.setattr(render, "etree", SimpleNamespace(
        fromstring=lambda blob: parsed.append(len(blob)) or real.fromstring(blob), XMLSyntaxError=real.XMLSyntaxError))
    verify_docx(SHIPPED, "agenda.docx")
    assert parsed == []  # the same bytes as a moment ago
    theme = zipfile.ZipFile(io.BytesIO(SHIPPED)).read("word/theme/theme1.xml")
    verify_docx(_with_part(SHIPPED, "word/theme/theme1.xml", theme.replace(b"Office", b"Offices", 1)), "a.docx")
    assert len(parsed) == 1  # a part with other bytes is parsed
    broken = _with_part(SHIPPED, "word/theme/theme1.xml", theme[:-20])
    with pytest.raises(RenderError, match="does not re-open"):
        verify_docx(broken, "agenda.docx")


def test_the_template_clean_up_is_done_once_a_part_and_renders_the_same(tmp_path: Path, monkeypatch):
    """docxtpl cleans a template part's XML before Jinja sees it; the cleaned text is kept by the text,
    and a paper rendered with it is byte for byte the paper rendered by docxtpl's own clean-up."""
    import datetime as dt

    from docx import Document
    from docxtpl import DocxTemplate

    template = tmp_path / "t.docx"
    document = Document()
    document.add_paragraph("Meeting of {{ board }}")
    document.add_paragraph("{% for item in items %}{{ item }}; {% endfor %}")
    document.save(template)
    context = {"board": "the Board", "items": ["one", "two"]}
    when = dt.date(2026, 2, 10)
    cleaned: list[int] = []
    real = DocxTemplate.patch_xml
    monkeypatch.setattr(DocxTemplate, "patch_xml", lambda self, xml: cleaned.append(1) or real(self, xml))
    render._CLEANED.clear()
    first = render.render_docx(template, context, "T", "CSP", when)
    second = render.render_docx(template, context, "T", "CSP", when)
    assert first == second and len(cleaned) == 1  # the body cleaned once; no headers or footers here
    monkeypatch.setattr(render, "_CleanedOnce", DocxTemplate)  # docxtpl's own, cleaning every time
    assert render.render_docx(template, context, "T", "CSP", when) == first
    assert "Meeting of the Board" in render.docx_text(first) and "one; two;" in render.docx_text(first)
