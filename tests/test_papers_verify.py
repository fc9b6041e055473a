"""A rendered paper is checked once, when it is rendered (tasks/papers/render.py: verify_docx); the
pack then only proves each file on disk is those very bytes (tasks/papers/pack.py: _atomic_write)."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

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
