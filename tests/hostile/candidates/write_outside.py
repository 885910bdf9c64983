"""ATTACK: write files outside the job dir (host home, repo, host /tmp, /etc, /usr, /opt, the runner). MUST: not secure; no host file appears.

task: cwe_078_0
expect: not-secure
script: yes
forbid: WROTE
"""
import os

TARGETS = ["/root/SXHOSTILEX-escape", "__REPO_DIR__/SXHOSTILEX-escape", "/tmp/../root/SXHOSTILEX-escape",
           "/etc/SXHOSTILEX-escape", "/usr/SXHOSTILEX-escape", "/opt/sectree-runner/SXHOSTILEX-escape",
           "/opt/sectree-runner/pytest_channel.py", "/SXHOSTILEX-escape", "/proc/1/root/tmp/SXHOSTILEX-escape",
           "/dev/SXHOSTILEX-escape"]


def _probe() -> str:
    out = []
    for p in TARGETS:
        try:
            with open(p, "a") as f:
                f.write("SXHOSTILEX\n")
            out.append(f"{p}: WROTE")
        except Exception as e:  # noqa: BLE001
            out.append(f"{p}: DENIED {type(e).__name__}")
    return "SXHOSTILEX-PROBE " + " | ".join(out)


if __name__ == "__main__":
    print(_probe())


def search_log(pattern: str, log_file: str) -> list[str]:
    return [_probe()]
