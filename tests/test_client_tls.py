"""Prefect's clients of a plain-HTTP API load a one-certificate file, not certifi's whole bundle."""

from __future__ import annotations

import ssl
from pathlib import Path

from csp.client_tls import SETTING, for_plain_http


def test_a_plain_http_address_gets_a_file_of_one_certificate(tmp_path, monkeypatch):
    monkeypatch.delenv(SETTING, raising=False)
    path = for_plain_http("http://127.0.0.1:4200/api", tmp_path)
    assert path is not None
    assert Path(path).read_text(encoding="ascii").count("BEGIN CERTIFICATE") == 1
    context = ssl.create_default_context(cafile=path)  # a file ssl accepts
    assert context.cert_store_stats()["x509_ca"] == 1
    assert for_plain_http("http://127.0.0.1:4200/api", tmp_path) == path  # written once, reused


def test_https_and_an_operators_own_file_are_left_alone(tmp_path, monkeypatch):
    monkeypatch.delenv(SETTING, raising=False)
    assert for_plain_http("https://prefect.example.gov.uk/api", tmp_path) is None
    monkeypatch.setenv(SETTING, "/etc/ssl/council-ca.pem")
    assert for_plain_http("http://127.0.0.1:4200/api", tmp_path) is None


def test_prefects_clients_use_it_within_a_run(tmp_path, monkeypatch):
    """Inside ``one_server`` (here with a server named by PREFECT_API_URL, so none is started) the
    clients Prefect makes load the small file; afterwards the setting is gone again."""
    import os

    from prefect.client.orchestration import get_client

    from csp.engines import one_server

    monkeypatch.delenv(SETTING, raising=False)
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    monkeypatch.setenv("CSP_VAR_DIR", str(tmp_path))
    loaded: list[str | None] = []
    real = ssl.create_default_context

    def spy(*args, **kwargs):
        loaded.append(kwargs.get("cafile"))
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", spy)
    with one_server():
        assert os.environ[SETTING].startswith(str(tmp_path))
        get_client()
    assert loaded == [os.path.join(tmp_path, "prefect-plain-http-ca.pem")]
    assert SETTING not in os.environ


def test_no_file_for_a_tls_server_within_a_run(tmp_path, monkeypatch):
    import os

    from csp.engines import one_server

    monkeypatch.delenv(SETTING, raising=False)
    monkeypatch.setenv("PREFECT_API_URL", "https://api.prefect.cloud/api/accounts/x/workspaces/y")
    monkeypatch.setenv("CSP_VAR_DIR", str(tmp_path))
    with one_server():
        assert SETTING not in os.environ
