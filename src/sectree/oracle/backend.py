"""Where the oracle runs: in this process's sandboxes (``local``) or on Ray actors across a cluster (``ray``).

``open_oracle(config, backend)`` is the one place that chooses; both backends have the same interface
(``judge``, ``judge_many``, ``calls``, ``sandbox_runs``, ``close``, context manager) and give the same verdicts,
in input order. Ray is an optional extra (``pip install 'sectree[scale]'``): asking for it without Ray installed
is one clear error, never an ImportError traceback.
"""

from __future__ import annotations

from sectree.oracle.cluster import INSTALL_HINT, Backend, BackendConfig, connect, require_ray
from sectree.oracle.judge import Oracle, OracleConfig
from sectree.oracle.ray_backend import RayOracle
from sectree.sandbox import SandboxConfig


def open_oracle(config: OracleConfig | None = None, backend: BackendConfig | None = None):
    """An oracle on the chosen backend (the caller closes it)."""
    backend = backend or BackendConfig()
    if backend.backend == Backend.LOCAL:
        return Oracle(config)
    return RayOracle(config or OracleConfig(), backend)


def oracle_config(*, no_sandbox: bool = False, workers: int | None = None, findings: str = "record",
                  wall_seconds: float | None = None) -> OracleConfig:
    """The oracle's settings from what commands and configs say (``no_sandbox``, ``workers``, ``findings``,
    ``--wall-seconds``): every caller builds its oracle through this and ``make_oracle``."""
    box = SandboxConfig(enabled=not no_sandbox)  # SECURITY-CRITICAL: only an explicit no_sandbox turns it off
    if wall_seconds is not None:
        box.wall_seconds = wall_seconds
    return OracleConfig(sandbox=box, workers=workers, findings=findings)


def make_oracle(*, no_sandbox: bool = False, workers: int | None = None, findings: str = "record",
                wall_seconds: float | None = None, backend: BackendConfig | None = None):
    """The one oracle factory: ``oracle_config(...)`` opened on ``backend`` (local by default; the caller
    closes it, or uses it as a context manager)."""
    return open_oracle(oracle_config(no_sandbox=no_sandbox, workers=workers, findings=findings,
                                     wall_seconds=wall_seconds), backend)


__all__ = ["INSTALL_HINT", "Backend", "BackendConfig", "connect", "make_oracle", "open_oracle", "oracle_config",
           "require_ray"]
