"""Building blocks for the Word templates: house styles, header and footer, tables with row loops.

``templates/build_templates.py`` uses these to (re)create the shipped templates from scratch. After that
the .docx files are the source: secretaries edit them in Word, and the checks in ``lint.py`` keep them
usable. Only the build script imports this module; rendering never does.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from tasks.papers.docx_parts import add_field, reproducible_zip, set_fixed_properties, set_update_fields

FONT = "Arial"
DARK = RGBColor(0x1F, 0x38, 0x64)
MID = RGBColor(0x2E, 0x74, 0xB5)
GREY = RGBColor(0x59, 0x59, 0x59)
TABLE_STYLE = "CSP Table"
BUILT_ON = dt.date(2026, 1, 1)  # fixed, so rebuilding unchanged templates gives identical files
TEXT_WIDTH_MM = 170
_BOLD = re.compile(r"(\*\*.+?\*\*)")


def _style_font(style, size: float, bold: bool = False, italic: bool = False,  # noqa: ANN001
                colour: RGBColor | None = None) -> None:
    style.font.name = FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = italic
    if colour is not None:
        style.font.color.rgb = colour
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def _table_style(document) -> None:  # noqa: ANN001
    style = document.styles.add_style(TABLE_STYLE, WD_STYLE_TYPE.TABLE)
    style.base_style = document.styles["Table Grid"]
    style.font.name = FONT
    style.font.size = Pt(9)
    # compact cells: the table style's spacing wins over the document default (Normal sets none)
    style.element.get_or_add_rPr().addprevious(parse_xml(
        f'<w:pPr {nsdecls("w")}><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/></w:pPr>'
    ))
    style.element.append(parse_xml(
        f'<w:tblStylePr {nsdecls("w")} w:type="firstRow"><w:rPr><w:b/><w:color w:val="FFFFFF"/>'
        '</w:rPr><w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="1F3864"/></w:tcPr></w:tblStylePr>'
    ))


def _defaults(document) -> None:  # noqa: ANN001
    """British English and 6pt after paragraphs, set as document defaults so tables can override."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    defaults.find(qn("w:rPrDefault")).find(qn("w:rPr")).find(qn("w:lang")).set(qn("w:val"), "en-GB")
    spacing = defaults.find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "120")
    spacing.set(qn("w:line"), "264")


def _right_tab_only(style) -> None:  # noqa: ANN001
    """Header and footer: one right tab at the text edge (the default centre tab would catch text)."""
    ppr = style.element.get_or_add_pPr()
    for tabs in ppr.findall(qn("w:tabs")):
        ppr.remove(tabs)
    style.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM), WD_TAB_ALIGNMENT.RIGHT)


def _styles(document) -> None:  # noqa: ANN001
    styles = document.styles
    _defaults(document)
    _style_font(styles["Normal"], 11)
    _style_font(styles["Title"], 24, bold=True, colour=DARK)
    for name, size, colour in (("Heading 1", 16, DARK), ("Heading 2", 13, MID), ("Heading 3", 11, DARK)):
        _style_font(styles[name], size, bold=True, colour=colour)
        styles[name].paragraph_format.space_before = Pt(12)
        styles[name].paragraph_format.space_after = Pt(6)
        styles[name].paragraph_format.keep_with_next = True
    _style_font(styles["TOC Heading"], 16, bold=True, colour=DARK)
    _style_font(styles["Caption"], 9, bold=True, italic=True, colour=DARK)
    styles["Caption"].paragraph_format.keep_with_next = True
    source = styles.add_style("Figure Source", WD_STYLE_TYPE.PARAGRAPH)
    source.base_style = styles["Normal"]
    _style_font(source, 8, italic=True, colour=GREY)
    for name in ("Header", "Footer"):
        _style_font(styles[name], 8, colour=GREY)
        _right_tab_only(styles[name])
    _table_style(document)


def _header_footer(document) -> None:  # noqa: ANN001
    section = document.sections[0]
    header = section.header.paragraphs[0]
    header.style = document.styles["Header"]
    header.add_run("{{ partnership_name }}\t")
    header.add_run("{{ marking }}").bold = True
    footer = section.footer.paragraphs[0]
    footer.style = document.styles["Footer"]
    footer.add_run("{{ marking }}").bold = True
    footer.add_run("\tPage ")
    add_field(footer, "PAGE", "1")
    footer.add_run(" of ")
    add_field(footer, "NUMPAGES", "1")


class Builder:
    """A new template: A4 portrait, house styles, partnership name and marking on every page."""

    def __init__(self, title: str, landscape: bool = False):
        self.title_text = title
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = Mm(297), Mm(210)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(20))
        _styles(self.doc)
        _header_footer(self.doc)

    # --- paragraphs -----------------------------------------------------------------------------

    def para(self, text: str = "", style: str = "Normal") -> Paragraph:
        """A paragraph; ``**text**`` is bold, as a secretary would format it in Word."""
        paragraph = self.doc.add_paragraph(style=style)
        for piece in _BOLD.split(text):
            if piece.startswith("**") and piece.endswith("**"):
                paragraph.add_run(piece[2:-2]).bold = True
            elif piece:
                paragraph.add_run(piece)
        return paragraph

    def title(self, text: str) -> Paragraph:
        return self.para(text, "Title")

    def h1(self, text: str) -> Paragraph:
        return self.para(text, "Heading 1")

    def h2(self, text: str) -> Paragraph:
        return self.para(text, "Heading 2")

    def h3(self, text: str) -> Paragraph:
        return self.para(text, "Heading 3")

    def bullet(self, text: str) -> Paragraph:
        return self.para(text, "List Bullet")

    def tag(self, text: str) -> Paragraph:
        """A paragraph holding only a docxtpl block tag (``{%p for ... %}``); it disappears on render."""
        return self.doc.add_paragraph(text)

    def loop(self, header: str, body: list[tuple[str, str]], footer: str = "{%p endfor %}") -> None:
        """A block of paragraphs repeated by a Jinja loop: [(style, text), ...]."""
        self.tag(header)
        for style, text in body:
            self.para(text, style)
        self.tag(footer)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def contents(self) -> None:
        """A Word table of contents (Heading 1-3), refreshed by Word when the paper is opened."""
        self.para("Contents", "TOC Heading")
        paragraph = self.doc.add_paragraph()
        add_field(paragraph, 'TOC \\o "1-3" \\h \\z \\u',
                  "The table of contents is refreshed when the document is opened in Word "
                  "(or right-click here and choose Update Field).", dirty=True)

    def caption(self, kind: str, number: str, text: str) -> Paragraph:
        """'Figure 3: ...' with a real Word caption number (SEQ field) whose value the code fills in."""
        paragraph = self.doc.add_paragraph(style="Caption")
        paragraph.add_run(f"{kind} ")
        add_field(paragraph, f"SEQ {kind} \\* ARABIC", number)
        paragraph.add_run(f": {text}")
        return paragraph

    def source(self, text: str) -> Paragraph:
        return self.para(text, "Figure Source")

    # --- tables ---------------------------------------------------------------------------------

    def table(self, header: list[str], cells: list[str], loop: str | None = None,
              widths: list[float] | None = None) -> Table:
        """A table with a header row and one row repeated for each item of ``loop``.

        ``loop`` is the Jinja 'for' expression, e.g. ``row in rows``; without it ``cells`` is one fixed
        row. The header row repeats on every page.
        """
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = self.doc.styles[TABLE_STYLE]
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
        _repeat_header(table.rows[0])
        if loop:
            table.add_row().cells[0].text = f"{{%tr for {loop} %}}"
        row = table.add_row()
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
        if loop:
            table.add_row().cells[0].text = "{%tr endfor %}"
        self._widths(table, widths)
        return table

    def grouped_table(self, header: list[str], loop: str, group_test: str, group_cell: str,
                      cells: list[str], widths: list[float] | None = None) -> Table:
        """A row loop where some items are group headings spanning the table (agenda groupings)."""
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = self.doc.styles[TABLE_STYLE]
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.text = text
        _repeat_header(table.rows[0])
        table.add_row().cells[0].text = f"{{%tr for {loop} %}}"
        table.add_row().cells[0].text = f"{{%tr if {group_test} %}}"
        group = table.add_row()
        merged = group.cells[0].merge(group.cells[-1])
        merged.text = ""
        merged.paragraphs[0].add_run(group_cell).italic = True
        table.add_row().cells[0].text = "{%tr else %}"
        row = table.add_row()
        for cell, text in zip(row.cells, cells, strict=True):
            cell.text = text
        table.add_row().cells[0].text = "{%tr endif %}"
        table.add_row().cells[0].text = "{%tr endfor %}"
        self._widths(table, widths)
        return table

    def details(self, pairs: list[tuple[str, str]], widths: tuple[float, float] = (45, 125)) -> Table:
        """A two-column label/value table (the strategic assessment's document details)."""
        table = self.doc.add_table(rows=0, cols=2)
        table.style = self.doc.styles[TABLE_STYLE]
        look = table._tbl.tblPr.find(qn("w:tblLook"))
        if look is not None:  # no header row: Word reads the attributes, LibreOffice the bitmask
            look.set(qn("w:firstRow"), "0")
            look.set(qn("w:firstColumn"), "0")
            look.set(qn("w:val"), "0400")
        for label, value in pairs:
            row = table.add_row()
            row.cells[0].paragraphs[0].add_run(label).bold = True
            row.cells[1].text = value
        self._widths(table, list(widths))
        return table

    @staticmethod
    def _widths(table: Table, widths: list[float] | None) -> None:
        """Fixed column widths, in the grid (what LibreOffice reads) and in every cell (Word)."""
        if not widths:
            return
        table.autofit = False
        for column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=False):
            column.set(qn("w:w"), str(int(Mm(width).twips)))
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=False):
                cell.width = Mm(width)

    def save(self, path: Path) -> None:
        set_update_fields(self.doc)
        set_fixed_properties(self.doc, self.title_text, "csp-cycle templates", BUILT_ON)
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.write_bytes(reproducible_zip(buffer.getvalue(), BUILT_ON))


def _repeat_header(row) -> None:  # noqa: ANN001
    trpr = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    trpr.append(element)
