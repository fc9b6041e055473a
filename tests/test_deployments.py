"""prefect.yaml deploys to a real Prefect server: every entrypoint loads, schedules and limits hold."""

from __future__ import annotations

import asyncio
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from csp.settings import PROJECT_ROOT

PREFECT_YAML = PROJECT_ROOT / "prefect.yaml"
PREFECT = Path(sys.executable).with_name("prefect")


def _deployments() -> list[dict]:
    return yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))["deployments"]


@pytest.mark.parametrize("deployment", _deployments(), ids=lambda d: d["name"])
def test_every_entrypoint_is_a_flow(deployment):
    module_path, name = deployment["entrypoint"].split(":")
    module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
    flow = getattr(module, name)
    assert flow.name.replace("_", "-") == flow.name  # the UI shows readable names
    assert set(deployment.get("parameters") or {}) <= set(flow.parameters.properties)


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([str(PREFECT), *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=300, input="")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.usefixtures("prefect_harness")
def test_prefect_deploy_all_creates_scheduled_deployments():
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_CLI_PROMPT": "false"}
    _run(["work-pool", "create", "csp-process", "--type", "process", "--overwrite"], env)
    _run(["--no-prompt", "deploy", "--all"], env)

    async def read() -> dict:
        async with get_client() as client:
            found = await client.read_deployments()
            return {d.name: d for d in found}

    deployed = asyncio.run(read())
    assert set(deployed) == {d["name"] for d in _deployments()}
    yearly = deployed["annual-cycle-all"]
    [schedule] = yearly.schedules
    assert "FREQ=YEARLY" in schedule.schedule.rrule and schedule.schedule.timezone == "Europe/London"
    [quarterly] = deployed["quarterly-ingest"].schedules
    assert quarterly.schedule.cron == "0 6 1 1,4,7,10 *"
    assert yearly.global_concurrency_limit.limit == 1
    assert str(yearly.concurrency_options.collision_strategy).endswith("CANCEL_NEW")
    assert deployed["draft-board-papers"].parameters["meeting"] == "board-2026-02"
