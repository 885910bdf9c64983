"""Which backend judges (``BackendConfig``, the ``oracle.*`` section of an experiment) and joining a Ray cluster.

Kept apart from ``backend.py`` (which picks the oracle class) so ``ray_backend.py`` can use the config and the
connection without importing the module that imports it (issue 13: no import circles). Ray itself is imported only
when a Ray backend is asked for: it is an optional extra, and importing it costs seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from sectree.errors import SectreeError

INSTALL_HINT = "install the scale extra: pip install 'sectree[scale]' (make setup installs it)"


class Backend(str, Enum):
    """Where candidates are judged."""

    LOCAL = "local"
    """In this process: one sandbox worker per core of this machine."""
    RAY = "ray"
    """On Ray actors, each with its own sandbox workers (a local Ray cluster, or one joined by address)."""


@dataclass
class BackendConfig:
    """The oracle's execution backend (``oracle.*`` in an experiment config). Results do not depend on it."""

    backend: Backend = Backend.LOCAL
    """local (this machine's cores) or ray (Ray actors, each with its own sandbox workers)."""
    address: str | None = None
    """Ray cluster to join: 'auto' (the cluster `ray start --head` runs on this machine) or 'host:6379';
    None starts a private single-machine Ray cluster for this process (and stops it at exit)."""
    actors: int | None = None
    """Oracle actors (default: one per alive Ray node); each runs ``workers`` sandboxes (default: its node's cores)."""

    def __post_init__(self) -> None:
        if self.actors is not None and self.actors < 1:
            raise SectreeError(f"oracle.actors must be >= 1 (or null: one per Ray node), got {self.actors}")
        if self.backend == Backend.LOCAL and (self.address is not None or self.actors is not None):
            raise SectreeError("oracle.address / oracle.actors need oracle.backend: ray")
        if self.backend == Backend.RAY:
            require_ray()  # at load time: one line before anything runs


def require_ray():
    """The ``ray`` module, or one clear error saying what to install."""
    try:
        import ray
    except ImportError:
        raise SectreeError(f"oracle.backend: ray needs Ray, which is not installed: {INSTALL_HINT}") from None
    return ray


def connect(address: str | None):
    """Join (or start) the Ray cluster once per process; returns the ``ray`` module."""
    ray = require_ray()
    if not ray.is_initialized():
        try:
            # the dashboard and the driver log forwarding only cost CPU on a small machine
            ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False)
        except ConnectionError as e:
            raise SectreeError(f"oracle.address: cannot join the Ray cluster at {address!r} ({e}); start one with "
                               "`ray start --head` or leave oracle.address empty for a private one") from None
    return ray
