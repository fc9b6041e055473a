"""prefect.yaml deploys to a real Prefect server: every entrypoint loads, every schedule is the one the
partnership's configuration implies and carries its partnership, and no deployment-wide limit stops one
partnership's run for another's."""

from __future__ import annotations

import asyncio
import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from csp.config import load_all
from csp.settings import PROJECT_ROOT

PREFECT_YAML = PROJECT_ROOT / "prefect.yaml"
PREFECT = Path(sys.executable).with_name("prefect")
SCHEDULED = {"annual-cycle": "annual", "quarterly-monitoring": "quarterly", "scrutiny-report": "scrutiny",
             "between-meetings": "between", "financial-report": "financial"}


def _deployments() -> list[dict]:
    return yaml.safe_load(PREFECT_YAML.read_text(encoding="utf-8"))["deployments"]


def _flow(deployment: dict):  # noqa: ANN202 - a Prefect Flow
    module_path, name = deployment["entrypoint"].split(":")
    module = importlib.import_module(module_path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def _due_month(config) -> int:  # noqa: ANN001 - a Partnership
    """The month the assessment is due: the period's last month is published after the lag."""
    return (config.assessment.period_end_month + config.assessment.publication_lag_months) % 12 + 1


@pytest.mark.parametrize("deployment", _deployments(), ids=lambda d: d["name"])
def test_every_entrypoint_is_a_flow_taking_its_parameters(deployment):
    flow = _flow(deployment)
    assert flow.name.replace("_", "-") == flow.name  # the UI shows readable names
    accepted = set(flow.parameters.properties)
    assert set(deployment.get("parameters") or {}) <= accepted
    for schedule in deployment.get("schedules") or []:
        assert set(schedule.get("parameters") or {}) <= accepted


def test_each_partnership_has_its_schedules_in_the_months_its_configuration_implies(csp_env):
    deployments = {d["name"]: d for d in _deployments()}
    for config in load_all():
        for name, slug in SCHEDULED.items():
            mine = [s for s in deployments[name]["schedules"]
                    if (s.get("parameters") or {}).get("partnership") == config.id]
            assert len(mine) == 1, (name, config.id)
            [schedule] = mine
            assert schedule["slug"] == f"{slug}-{config.id}" and schedule["timezone"] == "Europe/London"
            assert "cycle" not in schedule["parameters"]  # the flow chooses it from the date
            if name == "annual-cycle":
                assert f"BYMONTH={_due_month(config)};" in schedule["rrule"]
            elif name == "scrutiny-report":
                assert f"BYMONTH={config.scrutiny.month};" in schedule["rrule"]
            elif name == "between-meetings":
                assert schedule["cron"].split()[2:] == ["*", "*", "1"]  # every Monday
            elif name == "financial-report":
                assert schedule["cron"].split()[3] == "5"  # May, once the outturn is known
            else:
                months = {int(m) for m in schedule["cron"].split()[3].split(",")}
                quarter_ends = {(config.assessment.period_end_month + 3 * q - 1) % 12 + 1 for q in range(1, 5)}
                assert months == {(end + config.assessment.publication_lag_months) % 12 + 1
                                  for end in quarter_ends}


def _run(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run([str(PREFECT), *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                          text=True, timeout=600, input="")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.mark.usefixtures("prefect_harness")
def test_prefect_deploy_all_creates_every_deployment_schedule_and_parameter():
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL

    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_CLI_PROMPT": "false"}
    _run(["work-pool", "create", "csp-process", "--type", "process", "--overwrite"], env)
    _run(["--no-prompt", "deploy", "--all"], env)

    async def read() -> dict:
        async with get_client() as client:
            return {d.name: d for d in await client.read_deployments()}

    deployed = asyncio.run(read())
    expected = _deployments()
    assert set(deployed) == {d["name"] for d in expected}
    for spec in expected:
        deployment = deployed[spec["name"]]
        assert deployment.work_pool_name == "csp-process"
        assert deployment.parameters == (spec.get("parameters") or {}), spec["name"]
        assert deployment.global_concurrency_limit is None  # partnerships are limited in the flow
        by_slug = {s.slug: s for s in deployment.schedules}
        assert set(by_slug) == {s["slug"] for s in spec.get("schedules") or []}
        for wanted in spec.get("schedules") or []:
            schedule = by_slug[wanted["slug"]]
            assert schedule.active and schedule.parameters == wanted["parameters"]
            assert schedule.schedule.timezone == "Europe/London"
            if "rrule" in wanted:
                assert re.sub(r"^RRULE:", "", schedule.schedule.rrule.splitlines()[-1]) == wanted["rrule"] \
                    or wanted["rrule"] in schedule.schedule.rrule
            else:
                assert schedule.schedule.cron == wanted["cron"]
