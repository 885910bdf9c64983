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


def open_oracle(config: OracleConfig | None = None, backend: BackendConfig | None = None):
    """An oracle on the chosen backend (the caller closes it)."""
    backend = backend or BackendConfig()
    if backend.backend == Backend.LOCAL:
        return Oracle(config)
    return RayOracle(config or OracleConfig(), backend)


__all__ = ["INSTALL_HINT", "Backend", "BackendConfig", "connect", "open_oracle", "require_ray"]
