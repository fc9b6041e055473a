"""Fixtures and readers for the papers tests: a drafted pack per database engine, and .docx readers.

The drafted pack is built once per module and engine (drafting is the slow part); each engine gets a
database of its own so function-scoped stores elsewhere cannot reset it underneath.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from docx import Document

from csp.config import load_partnership
from csp.settings import PROJECT_ROOT
from tests.papers_fixtures import populate
from tests.postgres_helpers import create_database, drop_database

COUNT_OR_SMALL = re.compile(r"^(<5|\[c\]|n/a|-?\d{1,3}(,\d{3})*)$")


def use_temporary_folders(mp: pytest.MonkeyPatch, base: Path) -> None:
    """Output and working folders under ``base``; data and configuration as shipped."""
    mp.setenv("CSP_OUTPUT_DIR", str(base / "output"))
    mp.setenv("CSP_VAR_DIR", str(base / "var"))
    mp.setenv("CSP_DATA_DIR", str(PROJECT_ROOT / "data"))
    mp.setenv("CSP_CONFIG_DIR", str(PROJECT_ROOT / "data" / "partnerships"))


@dataclass(frozen=True)
class Drafted:
    url: str
    base: Path
    folder: Path
    result: object  # PackResult

    def paper(self, number: int, title: str, label: str, version: str = "public") -> Path:
        return self.folder / f"{number:02d} {title} {label} ({version}).docx"


@pytest.fixture(name="drafted", scope="module", params=["sqlite", "postgresql"])
def drafted_fixture(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Drafted]:
    """The fixture store drafted into a full board pack for Cambridge board-2026-02."""
    from csp.store.db import migrate
    from tasks.papers.draft import draft_pack

    base = tmp_path_factory.mktemp(f"pack-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{base / 'csp.db'}"
    else:
        url = create_database("csp_papers")
        if url is None:
            pytest.skip("no PostgreSQL server reachable (set CSP_TEST_POSTGRES_URL)")
    with pytest.MonkeyPatch.context() as mp:
        use_temporary_folders(mp, base)
        migrate(url)
        populate(url, base / "charts")
        result = draft_pack(url, load_partnership("cambridge"), "2025-26", "board-2026-02", run_id="run-42")
        yield Drafted(url, base, Path(result.folder), result)
    if request.param == "postgresql":
        drop_database(url)


@pytest.fixture(name="store")
def store_fixture(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh store (both engines) with the fixture rows, output under tmp_path."""
    use_temporary_folders(monkeypatch, tmp_path)
    populate(db_url, tmp_path / "charts")
    return db_url


# --- reading .docx --------------------------------------------------------------------------------


def paragraphs(path: Path) -> list[tuple[str, str]]:
    """(style name, text) of every non-empty body paragraph."""
    return [(p.style.name, p.text) for p in Document(str(path)).paragraphs if p.text.strip()]


def headings(path: Path, level: int | None = None) -> list[str]:
    wanted = {f"Heading {level}"} if level else {"Heading 1", "Heading 2", "Heading 3"}
    return [t for s, t in paragraphs(path) if s in wanted]


def tables(path: Path) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in Document(str(path)).tables]


def table_with(path: Path, *header: str) -> list[list[str]]:
    """The first table whose header row starts with these cells."""
    for table in tables(path):
        if tuple(table[0][: len(header)]) == header:
            return table
    raise AssertionError(f"no table with header {header} in {path.name}")


def column(table: list[list[str]], name: str) -> list[str]:
    index = table[0].index(name)
    return [row[index] for row in table[1:]]


def all_text(path: Path) -> str:
    """Body paragraphs, every table cell, headers and footers."""
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


def header_footer(path: Path) -> tuple[str, str]:
    section = Document(str(path)).sections[0]
    return (" ".join(p.text for p in section.header.paragraphs),
            " ".join(p.text for p in section.footer.paragraphs))


def override_template(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, paper: str, paragraph: str) -> Path:
    """A copy of the partnership configuration whose Cambridge entry points ``paper`` at a copy of its
    template with ``paragraph`` added (a secretary's edit, or a broken placeholder)."""
    import shutil

    from tasks.papers.registry import TEMPLATES_DIR

    config_dir = tmp_path / "config"
    if not config_dir.exists():
        shutil.copytree(PROJECT_ROOT / "data" / "partnerships", config_dir)
    edited = tmp_path / f"{paper}.docx"
    shutil.copy(TEMPLATES_DIR / f"{paper}.docx", edited)
    document = Document(str(edited))
    document.add_paragraph(paragraph)
    document.save(str(edited))
    with (config_dir / "cambridge.yaml").open("a", encoding="utf-8") as handle:
        handle.write(f"templates:\n  {paper}: {edited}\n")
    monkeypatch.setenv("CSP_CONFIG_DIR", str(config_dir))
    return edited
