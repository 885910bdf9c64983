"""CPU of the report channel's two scans of the zygote's bindings, in the zygote and in a fork of it (issue #17).

Each Python job compares every function, class and module bound in a module the zygote loaded with the zygote's
baseline twice (``pytest_channel``): at the candidate's first lookup (``_test_rebinds``: what the test file
rebound before importing it) and at the end of the run (``_changed_bindings``). In the job - a fork of the zygote
- reading each binding writes its object's reference count, so the first scan copies the zygote's pages
(copy-on-write). This script builds the zygote's state the way ``zygote.Zygote`` does (the sandbox's preloads,
pytest's default plugins, the runner's modules, then ``pytest_channel.prepare``), times both scans in this
process (averaged) and as a job does them, first in a fresh fork (median over forks).

Usage: .venv/bin/python benchmarks/channel_scan_cost.py [--forks 15]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time

from sectree.sandbox import DEFAULT_PRELOAD, RUNNER_DIR


def _cpu(f) -> float:
    c = time.process_time()
    f()
    return time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--forks", type=int, default=15)
    args = ap.parse_args()
    sys.path.insert(0, str(RUNNER_DIR))
    for m in DEFAULT_PRELOAD:
        try:
            __import__(m)
        except Exception:  # noqa: BLE001 - as the zygote: a missing optional module
            pass
    import _pytest.config

    for name in _pytest.config.default_plugins:
        try:
            __import__("_pytest." + name)
        except Exception:  # noqa: BLE001
            pass
    import candidate_proxy  # noqa: F401
    import pytest_channel
    import pytest_memo
    import sectree_check  # noqa: F401

    pytest_memo.install()
    names, base = pytest_channel.prepare()
    gc.collect()
    gc.freeze()
    scans = (lambda: pytest_channel._test_rebinds(base, names), lambda: pytest_channel._changed_bindings(base))
    here = [statistics.mean(_cpu(s) for _ in range(20)) for s in scans]
    forked = []
    for _ in range(args.forks):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.write(w, json.dumps([_cpu(s) for s in scans]).encode())
            os._exit(0)
        os.close(w)
        forked.append(json.loads(os.read(r, 1000)))
        os.waitpid(pid, 0)
        os.close(r)
    print(f"baseline: {len(base)} namespaces, {sum(len(b[2]) for b in base)} bindings; load {os.getloadavg()[0]:.1f}")
    for i, name in enumerate(("_test_rebinds (candidate's first lookup)", "_changed_bindings (end of run)")):
        print(f"{name}: {1000 * here[i]:.1f} ms CPU in the zygote, "
              f"{1000 * statistics.median(f[i] for f in forked):.1f} ms as a job's first scans (median of {args.forks} forks)")


if __name__ == "__main__":
    main()
