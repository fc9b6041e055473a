"""Template checks: the shipped templates pass, and each kind of breakage is named before rendering."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from docx import Document

from tasks.papers.lint import TemplateCheckError, check_template, require_templates
from tasks.papers.registry import SPECS, TEMPLATES_DIR, spec


def _check(kind: str, path: Path):
    paper = spec(kind)
    return check_template(kind, path, paper.schema, paper.required, paper.styles)


def _copy(tmp_path: Path, kind: str) -> Path:
    target = tmp_path / f"{kind}.docx"
    shutil.copy(TEMPLATES_DIR / f"{kind}.docx", target)
    return target


def _append(path: Path, *texts: str) -> None:
    document = Document(str(path))
    for text in texts:
        document.add_paragraph(text)
    document.save(str(path))


@pytest.mark.parametrize("paper", [s.kind for s in SPECS])
def test_every_shipped_template_passes_every_check(paper):
    report = _check(paper, TEMPLATES_DIR / f"{paper}.docx")
    assert report.errors == ()


def test_unknown_placeholder_is_an_error_naming_template_and_placeholder(tmp_path):
    path = _copy(tmp_path, "strategic_assessment")
    _append(path, "Total crime: {{ total_crimes }}")
    report = _check("strategic_assessment", path)
    assert report.errors == ("unknown placeholder 'total_crimes' (not provided by the code for this paper)",)
    with pytest.raises(TemplateCheckError) as error:
        require_templates([report])
    assert str(path) in str(error.value) and "total_crimes" in str(error.value)


def test_mistyped_attribute_in_a_loop_is_caught_against_the_schema(tmp_path):
    path = _copy(tmp_path, "agenda")
    _append(path, "{%p for row in rows %}", "{{ row.tittle }} at {{ meeting.dait }}", "{%p endfor %}",
            "{{ rows[0].bogus }} {{ contact['mail'] }} {{ (rows|first).tittle }} {{ rows|length }}")
    errors = " | ".join(_check("agenda", path).errors)
    assert "unknown placeholder 'row.tittle'" in errors
    assert "unknown placeholder 'meeting.dait'" in errors
    assert "unknown placeholder 'rows[0].bogus'" in errors
    assert "unknown placeholder 'contact.mail'" in errors
    assert len(_check("agenda", path).errors) == 4  # a filter's result is not followed, nor flagged
    assert "title" in errors  # the message lists what the code does provide


def test_jinja_syntax_error_names_the_paragraph(tmp_path):
    path = _copy(tmp_path, "agenda")
    _append(path, "Next meeting {% if next_meeting.known %} on {{ next_meeting.date }}")
    (error,) = _check("agenda", path).errors
    assert error.startswith("Jinja syntax error in word/document.xml")
    assert "Next meeting" in error


def test_missing_style_is_reported(tmp_path):
    path = _copy(tmp_path, "data_quality")
    document = Document(str(path))
    caption = document.styles["Caption"]
    caption.element.getparent().remove(caption.element)
    document.save(str(path))
    errors = _check("data_quality", path).errors
    assert "lacks the style 'Caption' that the papers use" in errors


def test_style_referred_to_but_not_defined_is_reported(tmp_path):
    path = _copy(tmp_path, "agenda")
    document = Document(str(path))
    heading = document.styles["Heading 1"]
    heading.element.getparent().remove(heading.element)
    document.save(str(path))
    errors = _check("agenda", path).errors
    assert "lacks the style 'Heading 1' that the papers use" in errors
    assert "refers to style id 'Heading1' that it does not define" in errors


def test_a_file_that_is_not_a_docx_is_refused(tmp_path):
    path = tmp_path / "agenda.docx"
    path.write_text("{\\rtf1 saved as RTF by mistake}", encoding="utf-8")
    assert _check("agenda", path).errors == (
        "is not a Word .docx file (not a zip archive; was it saved as .doc, .rtf or PDF?)",)
    other = tmp_path / "other.docx"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("readme.txt", "not word")
    assert "no word/document.xml" in _check("agenda", other).errors[0]


def test_removing_a_required_placeholder_is_an_error(tmp_path):
    path = tmp_path / "minimal.docx"
    document = Document()
    document.add_paragraph("{{ marking }} {{ partnership_name }}")
    document.save(str(path))
    errors = _check("strategic_assessment", path).errors
    for name in ("sections", "sources", "recommendations"):
        assert f"placeholder '{name}' is missing: the paper cannot be drafted without it" in errors


def test_header_and_footer_carry_name_marking_and_page_x_of_y():
    for paper in SPECS:
        with zipfile.ZipFile(TEMPLATES_DIR / f"{paper.kind}.docx") as archive:
            header = archive.read("word/header1.xml").decode()
            footer = archive.read("word/footer1.xml").decode()
            settings = archive.read("word/settings.xml").decode()
        assert "{{ partnership_name }}" in header and "{{ marking }}" in header
        assert "{{ marking }}" in footer and " PAGE " in footer and " NUMPAGES " in footer
        assert '<w:updateFields w:val="true"/>' in settings


def test_strategic_assessment_template_has_a_contents_field_and_caption_numbers():
    with zipfile.ZipFile(TEMPLATES_DIR / "strategic_assessment.docx") as archive:
        body = archive.read("word/document.xml").decode()
    assert 'TOC \\o "1-3"' in body
    assert "SEQ Figure" in body and "SEQ Table" in body


def test_building_the_templates_is_reproducible(tmp_path):
    import sys

    sys.path.insert(0, str(TEMPLATES_DIR))
    try:
        from build_templates import build
    finally:
        sys.path.remove(str(TEMPLATES_DIR))
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    build(["agenda", "strategic_assessment"], first)
    build(["agenda", "strategic_assessment"], second)
    for name in ("agenda.docx", "strategic_assessment.docx"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    assert _check("agenda", first / "agenda.docx").errors == ()


def test_a_template_source_is_compiled_once_and_renders_each_context_afresh(monkeypatch):
    """The process's environment keeps compiled templates: the same XML is not compiled again for the
    next paper, and a kept template carries nothing from one rendering into the next."""
    from jinja2 import Environment, UndefinedError

    from tasks.papers.lint import jinja_environment

    env = jinja_environment()
    assert env is jinja_environment()
    compiled = []
    compile_once = Environment.from_string
    monkeypatch.setattr(Environment, "from_string",
                        lambda self, *a, **k: compiled.append(1) or compile_once(self, *a, **k))
    source = f"<w:t>{{{{ place }}}} &amp; {{{{ count }}}}</w:t><!-- {id(compiled)} -->"
    first = env.from_string(source).render(place="Cambridge", count=3)
    second = env.from_string(source).render(place="Fenland <north>", count=4)
    assert len(compiled) == 1
    assert first.startswith("<w:t>Cambridge &amp; 3</w:t>")
    assert second.startswith("<w:t>Fenland &lt;north&gt; &amp; 4</w:t>")  # still escaped
    with pytest.raises(UndefinedError):  # still strict
        env.from_string(source).render(place="Cambridge")
