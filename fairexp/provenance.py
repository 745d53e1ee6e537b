"""What a reviewer needs to reproduce a run: package versions, data hash, git commit."""

from __future__ import annotations

import platform
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

_PACKAGES = ("fairexp", "numpy", "pandas", "scikit-learn", "scipy", "fairlearn", "optuna", "hydra-core", "wandb")


def package_versions() -> dict[str, str]:
    out = {}
    for name in _PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit(start: Path | None = None) -> str | None:
    """The commit of the fairexp source checkout, when it is one (None for a wheel)."""
    here = start or Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    dirty = subprocess.run(
        ["git", "-C", str(here), "status", "--porcelain", "--untracked-files=no"],
        capture_output=True, text=True, timeout=5,
    ).stdout.strip()
    return out.stdout.strip() + ("-dirty" if dirty else "")


_PASSWORD_IN_URL = re.compile(r"(://[^:/@\s]+):[^@\s]*@")


def redact(value: Any) -> Any:
    """A copy with passwords in URLs (``postgresql://user:secret@host``) replaced by ``***``.

    Configs and command lines are written to run directories and W&B; a database
    password in ``search.storage`` must not travel with them.
    """
    if isinstance(value, str):
        return _PASSWORD_IN_URL.sub(r"\1:***@", value)
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact(v) for v in value)
    return value


def provenance(data_hash: str | None = None) -> dict[str, object]:
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "packages": package_versions(),
        "git_commit": git_commit(),
        "data_sha256": data_hash,
        "command": redact(list(sys.argv)),
    }
