"""A throwaway PostgreSQL server for tests: initdb in a temp dir, loopback only, stopped after.

PostgreSQL refuses to run as root, so when the tests run as root (CI does)
the server commands run as the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def find_bin(name: str) -> str | None:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else shutil.which(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server in a fresh temp dir and yield a SQLAlchemy URL for database ``fairexp``."""
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    base = Path(tempfile.mkdtemp(prefix="fairexp-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        for p in (base, sock):
            shutil.chown(p, "postgres", "postgres")
    port = _free_port()
    run = lambda cmd: subprocess.run(_as_server_user(cmd), check=True, capture_output=True, text=True, timeout=120)  # noqa: E731
    run([initdb, "-D", str(data), "-U", "fairexp", "--auth=trust", "-E", "UTF8", "--no-sync"])
    opts = f"-p {port} -k {sock} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
    run([pg_ctl, "-D", str(data), "-o", opts, "-l", str(base / "server.log"), "-w", "-t", "60", "start"])
    try:
        createdb = find_bin("createdb")
        run([createdb, "-h", "127.0.0.1", "-p", str(port), "-U", "fairexp", "fairexp"])
        yield f"postgresql://fairexp@127.0.0.1:{port}/fairexp"
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"]), capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)
