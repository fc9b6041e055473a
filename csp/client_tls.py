"""A small certificate file for Prefect's clients when the API is plain HTTP.

Prefect builds a new TLS context for every API client it makes (one for each task run it creates,
and for each look-up of the flow run), loading certifi's 117 certificate authorities into it: 22 ms
each here, about 2.5 % of a Dask worker's time in a national run, and paid by every cycle. A client of
an ``http://`` address never uses that context. With ``PREFECT_API_SSL_CERT_FILE`` naming a file of
one certificate, the context costs well under a millisecond. An ``https://`` address, or a file the
operator has named, is left alone: there the certificates matter.
"""

from __future__ import annotations

import os
from pathlib import Path

SETTING = "PREFECT_API_SSL_CERT_FILE"
_END = "-----END CERTIFICATE-----"


def one_certificate_file(folder: Path) -> Path:
    """The first certificate of certifi's bundle, in a file of its own (written once)."""
    import certifi

    path = folder / "prefect-plain-http-ca.pem"
    if not path.exists():
        bundle = Path(certifi.where()).read_text(encoding="ascii")
        first = bundle[bundle.index("-----BEGIN CERTIFICATE-----"):bundle.index(_END) + len(_END)]
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".tmp")
        partial.write_text(first + "\n", encoding="ascii")
        partial.replace(path)  # two processes may write it at once: each replaces it whole
    return path


def for_plain_http(api_url: str, folder: Path) -> str | None:
    """The file to name in ``PREFECT_API_SSL_CERT_FILE`` for this API address; None to leave it."""
    if not api_url.startswith("http://") or os.environ.get(SETTING):
        return None
    return str(one_certificate_file(folder))
