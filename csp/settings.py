"""The one place that decides where things live and which engines run.

Everything environment-specific (database, folders, Prefect and Dask) is read here from environment
variables with embedded defaults, so a clean clone runs on SQLite and a local Prefect, and a shared
installation changes only variables, never code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Machines here have no internet: telemetry only produces errors and delays.
_QUIET_DEFAULTS = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "GX_ANALYTICS_ENABLED": "false",
    "MPLBACKEND": "Agg",
    # Prefect's temporary server gets 20 s to start by default: too short on a busy machine. If it still
    # times out, raise PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS further.
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "180",
}


def quiet_environment() -> None:
    """Switch off telemetry before Prefect or Great Expectations is imported."""
    for key, value in _QUIET_DEFAULTS.items():
        os.environ.setdefault(key, value)


quiet_environment()


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one process."""

    database_url: str
    data_dir: Path
    config_dir: Path
    output_dir: Path
    var_dir: Path
    task_runner: str  # "thread" or "dask"
    dask_address: str | None

    @property
    def gx_dir(self) -> Path:
        """Great Expectations project folder (Data Docs are written under it)."""
        return self.var_dir / "gx"

    @property
    def charts_dir(self) -> Path:
        return self.output_dir / "charts"


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def get_settings() -> Settings:
    """Read the settings afresh (tests change the environment between cases)."""
    var_dir = _path("CSP_VAR_DIR", PROJECT_ROOT / "var")
    data_dir = _path("CSP_DATA_DIR", PROJECT_ROOT / "data")
    default_db = f"sqlite:///{var_dir / 'csp.db'}"
    return Settings(
        database_url=os.environ.get("CSP_DATABASE_URL", default_db),
        data_dir=data_dir,
        config_dir=_path("CSP_CONFIG_DIR", data_dir / "partnerships"),
        output_dir=_path("CSP_OUTPUT_DIR", PROJECT_ROOT / "output"),
        var_dir=var_dir,
        task_runner=os.environ.get("CSP_TASK_RUNNER", "thread"),
        dask_address=os.environ.get("CSP_DASK_ADDRESS") or None,
    )


@dataclass(frozen=True)
class InputLimits:
    """How large partner files may be (environment variables override; docs/reliability.md).

    Files are decompressed in chunks of ``chunk_bytes`` and reading stops as soon as a limit is passed,
    so a compressed "bomb" never expands beyond one chunk over the limit. Memory for the file contents
    held at once is bounded by ``max_total_bytes`` (one source), and one file's parse by about ten
    times ``max_file_bytes`` (pandas' strings)."""

    max_file_bytes: int  # one file, uncompressed
    max_total_bytes: int  # all files of one source path (folder or archive), uncompressed
    max_ratio: float  # uncompressed / compressed size a zip member may declare
    max_members: int  # files in one archive or folder
    chunk_bytes: int = 1 << 20
    max_config_bytes: int = 1 << 20  # one partnership YAML file
    max_yaml_aliases: int = 100  # YAML aliases (*name) in one configuration file
    max_config_values: int = 100_000  # values a configuration file holds once its aliases are expanded
    min_replacement_share: float = 0.5  # a replacement file needs this share of the old one's rows


def input_limits() -> InputLimits:
    mib = 1 << 20
    return InputLimits(
        max_file_bytes=int(float(os.environ.get("CSP_MAX_FILE_MB", "64")) * mib),
        max_total_bytes=int(float(os.environ.get("CSP_MAX_SOURCE_MB", "512")) * mib),
        max_ratio=float(os.environ.get("CSP_MAX_COMPRESSION_RATIO", "100")),
        max_members=int(os.environ.get("CSP_MAX_FILES", "2000")),
        min_replacement_share=float(os.environ.get("CSP_MIN_REPLACEMENT_SHARE", "0.5")),
    )
