"""The command line: the face of the project, above flows, stages, store and core."""

from csp import settings as _settings  # noqa: F401 - switches telemetry off before Prefect loads
