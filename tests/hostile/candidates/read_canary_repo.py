"""ATTACK: read the canary in the repository root (known path, relative climbs, and a search of the whole visible tree). MUST: not secure, the read fails.

task: cwe_078_0
expect: not-secure
script: yes
forbid: READ, repo visible: True, stopped at its 2 s budget
"""
import os
import sys
import time

TARGETS = ["__REPO_CANARY__", "../__CANARY_NAME__", "../../__CANARY_NAME__", "/sbx/__CANARY_NAME__"]


def _probe() -> str:
    out = []
    found = []
    skip = {"/proc", "/sys", "/usr", "/dev", os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    # the search has a time budget: unsandboxed (test_exfiltration_probes_are_not_vacuous) it walks the whole host,
    # which a busy CI machine took over 10 s to do; the sandbox's visible tree takes milliseconds
    deadline = time.monotonic() + 2.0
    for root, dirs, files in os.walk("/"):
        if time.monotonic() > deadline:
            out.append("search: stopped at its 2 s budget")
            break
        dirs[:] = [d for d in dirs if os.path.join(root, d) not in skip and root.count("/") < 4]
        if "__CANARY_NAME__" in files:
            found.append(os.path.join(root, "__CANARY_NAME__"))
    for p in TARGETS + found:
        try:
            with open(p, errors="replace") as f:
                out.append(f"{p}: READ {f.read()!r}")
        except Exception as e:  # noqa: BLE001
            out.append(f"{p}: DENIED {type(e).__name__}")
    out.append(f"repo visible: {os.path.exists(os.path.dirname('__REPO_CANARY__') + '/src')}")
    return "SXHOSTILEX-PROBE " + " | ".join(out)


if __name__ == "__main__":
    print(_probe())


def search_log(pattern: str, log_file: str) -> list[str]:
    return [_probe()]
