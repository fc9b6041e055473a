"""LibreOffice opens the drafted papers and lays them out: a rendered paper is a usable Word file.

Runs where ``soffice`` is installed (CI installs libreoffice-writer-nogui and poppler-utils); each
conversion gets its own LibreOffice profile so parallel runs cannot collide.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from csp.config import load_partnership
from tasks.papers.draft import draft_pack
from tests.papers_fixtures import populate
from tests.papers_helpers import use_temporary_folders

TOOLS = ("soffice", "pdfinfo", "pdftotext")
_missing = [tool for tool in TOOLS if shutil.which(tool) is None]
if _missing and os.environ.get("CI"):
    raise RuntimeError(f"CI must install {', '.join(_missing)} (libreoffice-writer-nogui, poppler-utils)")
pytestmark = pytest.mark.skipif(bool(_missing), reason=f"not installed here: {', '.join(_missing)}")


def _to_pdf(docx: Path, out: Path) -> Path:
    profile = out / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), str(docx)], check=True, capture_output=True, timeout=180)
    pdf = out / f"{docx.stem}.pdf"
    assert pdf.exists(), f"LibreOffice did not convert {docx.name}"
    return pdf


def _pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_libreoffice_converts_the_assessment_and_its_summary(sqlite_url, tmp_path, monkeypatch):
    use_temporary_folders(monkeypatch, tmp_path)
    populate(sqlite_url, tmp_path / "charts")
    result = draft_pack(sqlite_url, load_partnership("cambridge"), "2025-26", "board-2026-02",
                        ["strategic_assessment", "sa_summary"])
    folder = Path(result.folder)
    summary = _to_pdf(folder / "02 Strategic Assessment executive summary 2025-26 (public).docx", tmp_path)
    full = _to_pdf(folder / "01 Strategic Assessment 2025-26 (restricted).docx", tmp_path)
    assert 2 <= _pages(summary) <= 4
    assert _pages(full) > _pages(summary)
    text = _text(full)
    assert "OFFICIAL-SENSITIVE" in text
    assert f"Page 1 of {_pages(full)}" in text  # the PAGE and NUMPAGES fields were laid out
    assert "Figure 2: Monthly violence and sexual offences, Cambridge" in text
    assert "Community Safety Strategic Assessment: Cambridge 2025-26" in text
