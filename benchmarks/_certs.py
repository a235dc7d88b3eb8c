"""A certificate authority and a 127.0.0.1 server certificate, made fresh for each run."""

from __future__ import annotations

from pathlib import Path

import trustme


def write_certificates(directory: Path) -> tuple[Path, Path]:
    """Write the CA certificate and the server's key+chain; returns (ca_pem, chain_pem)."""
    authority = trustme.CA()
    ca_pem, chain_pem = directory / "ca.pem", directory / "server.pem"
    authority.cert_pem.write_to_path(str(ca_pem))
    authority.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(str(chain_pem))
    return ca_pem, chain_pem
