"""Checks every template before any paper is rendered, so a broken template fails loudly and early.

A template passes when it is a real .docx (a zip that python-docx opens), its Jinja tags compile, every
placeholder it uses is one the code provides (including attributes such as ``theme.title``, checked
against the paper's schema), it keeps the placeholders its paper cannot do without, and it defines every
style the papers use or it refers to. docxtpl reports none of this itself: a mistyped tag would
otherwise surface as an error half-way through a pack, or as an empty table.
"""

from __future__ import annotations

import functools
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docxtpl import DocxTemplate
from jinja2 import Environment, StrictUndefined, Template, TemplateSyntaxError, meta, nodes
from lxml import etree

from tasks.papers.memo import Recent
from tasks.papers.schemas import COMMON

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_UNKNOWN = object()  # an expression whose shape the checker cannot follow (filters, set variables)
_PART = re.compile(r"^word/(document|header\d*|footer\d*|footnotes)\.xml$")


class _CompiledOnce(Environment):
    """An environment that compiles each template source once per process.

    docxtpl hands the environment a template's whole document XML as a string for every paper it
    renders; compiling it was 60 % of rendering a paper (py-spy, national run) though the XML is the
    same for every partnership. Compiled templates are immutable and safe to render from any thread.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._compiled = Recent(64)  # templates' parts (body, headers, footers): about four a paper, fourteen papers

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:  # noqa: A002
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        compiled = self._compiled.get(source)
        if compiled is None:
            compiled = super().from_string(source)
            self._compiled.put(source, compiled)
        return compiled


@functools.cache
def jinja_environment() -> Environment:
    """The environment used to check and to render: escape XML, fail on anything undefined (one a
    process, so that a template is compiled once)."""
    return _CompiledOnce(autoescape=True, undefined=StrictUndefined)


@dataclass(frozen=True)
class TemplateReport:
    kind: str
    template: str
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


class TemplateCheckError(RuntimeError):
    """One or more templates are unusable; the message names each template and each problem."""

    def __init__(self, reports: list[TemplateReport]):
        self.reports = reports
        lines = [f"template {r.template} ({r.kind}): {e}" for r in reports for e in r.errors]
        super().__init__("broken template(s), no paper was written:\n  " + "\n  ".join(lines))


def _parts(path: Path) -> dict[str, str]:
    """The XML parts that may hold placeholders (body, headers, footers, footnotes), by part name."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                if _PART.match(name)}


def _open_problem(path: Path) -> str | None:
    if not path.exists():
        return "file not found"
    if not zipfile.is_zipfile(path):
        return "is not a Word .docx file (not a zip archive; was it saved as .doc, .rtf or PDF?)"
    with zipfile.ZipFile(path) as archive:
        if "word/document.xml" not in archive.namelist():
            return "is a zip archive but not a Word document (no word/document.xml)"
    try:
        Document(str(path))
    except Exception as exc:  # noqa: BLE001 - python-docx raises several types for bad packages
        return f"python-docx cannot open it: {exc}"
    return None


def _snippet(xml: str, lineno: int | None) -> str:
    lines = xml.splitlines()
    if not lineno or lineno > len(lines):
        return ""
    text = re.sub(r"<[^>]+>", "", lines[lineno - 1]).strip()
    return text[:90]


def _parse(env: Environment, tpl: DocxTemplate, part: str, xml: str,
           errors: list[str]) -> nodes.Template | None:
    # docxtpl's own clean-up ({%p %}, {%tr %} ...), one paragraph per line as when rendering
    patched = re.sub(r"<w:p([ >])", r"\n<w:p\1", tpl.patch_xml(xml))
    try:
        return env.parse(patched)
    except TemplateSyntaxError as exc:
        where = _snippet(patched, exc.lineno)
        errors.append(f"Jinja syntax error in {part}: {exc.message}"
                      + (f" (in the paragraph '{where}')" if where else ""))
        return None


class _AttributeChecker:
    """Walks a Jinja syntax tree and reports ``a.b`` where ``b`` is not in ``a``'s schema."""

    def __init__(self, schema: dict[str, Any]):
        self.schema = schema
        self.problems: dict[str, None] = {}

    def resolve(self, node: nodes.Node, scope: dict[str, Any]) -> tuple[Any, str]:
        if isinstance(node, nodes.Name):
            if node.name in scope:
                return scope[node.name], node.name
            return self.schema.get(node.name, _UNKNOWN), node.name
        name = None
        if isinstance(node, nodes.Getattr):
            name = node.attr
        elif isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            if isinstance(node.arg.value, int):  # rows[0]: an item of a list
                base, label = self.resolve(node.node, scope)
                return (base[0] if isinstance(base, list) else _UNKNOWN), f"{label}[{node.arg.value}]"
            name = node.arg.value if isinstance(node.arg.value, str) else None
        if name is None:  # a filter, a call, rows[0]...: check what is inside, follow no shape
            for child in node.iter_child_nodes():
                self.walk(child, scope)
            return _UNKNOWN, "?"
        base, label = self.resolve(node.node, scope)  # type: ignore[attr-defined]
        if isinstance(base, dict):
            if name in base:
                return base[name], f"{label}.{name}"
            known = ", ".join(sorted(base))
            self.problems[f"unknown placeholder '{label}.{name}' (the code provides {label}.{{{known}}})"] = None
        return _UNKNOWN, f"{label}.{name}"

    def walk(self, node: nodes.Node, scope: dict[str, Any]) -> None:
        if isinstance(node, nodes.For):
            self.walk(node.iter, scope)
            items, _ = self.resolve(node.iter, scope)
            inner = dict(scope, loop=_UNKNOWN)
            if isinstance(node.target, nodes.Name):
                inner[node.target.name] = items[0] if isinstance(items, list) else _UNKNOWN
            else:  # tuple unpacking: the shapes are not followed
                inner.update({name.name: _UNKNOWN for name in node.target.find_all(nodes.Name)})
            for child in [*node.body, *([node.test] if node.test else [])]:
                self.walk(child, inner)
            for child in node.else_:
                self.walk(child, scope)
            return
        if isinstance(node, nodes.Getattr | nodes.Getitem):
            self.resolve(node, scope)
            return
        for child in node.iter_child_nodes():
            self.walk(child, scope)


def _styles(path: Path) -> tuple[dict[str, str], set[str]]:
    """(style name as Word shows it -> id) defined in the template, and the style ids its parts use."""
    defined = {style.name: style.style_id for style in Document(str(path)).styles}
    ns = {"w": W_NS}
    used: set[str] = set()
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if _PART.match(name):
                root = etree.fromstring(archive.read(name))
                for tag in ("pStyle", "rStyle", "tblStyle"):
                    used.update(root.xpath(f"//w:{tag}/@w:val", namespaces=ns))
    return defined, used


def check_template(kind: str, path: Path, schema: dict[str, Any], required: tuple[str, ...],
                   styles: tuple[str, ...]) -> TemplateReport:
    """Every check on one template; problems are collected, not raised, so all are reported at once."""
    problem = _open_problem(path)
    if problem:
        return TemplateReport(kind, str(path), (problem,), ())
    errors: list[str] = []
    env = jinja_environment()
    used: set[str] = set()
    checker = _AttributeChecker(schema)
    tpl = DocxTemplate(str(path))
    for part, xml in sorted(_parts(path).items()):
        tree = _parse(env, tpl, part, xml, errors)
        if tree is not None:
            used |= meta.find_undeclared_variables(tree)
            checker.walk(tree, {})
    if not errors:
        errors += [f"unknown placeholder '{name}' (not provided by the code for this paper)"
                   for name in sorted(used - set(schema))]
        errors += list(checker.problems)
        errors += [f"placeholder '{name}' is missing: the paper cannot be drafted without it"
                   for name in required if name not in used]
    defined, referenced = _styles(path)
    errors += [f"lacks the style '{name}' that the papers use" for name in styles if name not in defined]
    ids = set(defined.values())
    errors += [f"refers to style id '{sid}' that it does not define" for sid in sorted(referenced - ids)]
    specific = sorted(set(schema) - set(COMMON) - used)  # common keys are offered to every paper
    warnings = tuple(f"placeholder '{name}' is provided but not used" for name in specific)
    return TemplateReport(kind, str(path), tuple(errors), warnings)


def require_templates(reports: list[TemplateReport]) -> None:
    """Stop the run, naming every broken template and problem, if any check failed."""
    broken = [r for r in reports if not r.ok]
    if broken:
        raise TemplateCheckError(broken)
