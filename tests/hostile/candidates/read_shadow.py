"""ATTACK: read root-only host files (/etc/shadow, /root/.ssh, /proc/kcore) and list the host's home. MUST: not secure, all denied.

task: cwe_078_0
expect: not-secure
script: yes
forbid: /etc/shadow: READ, /etc/gshadow: READ, id_rsa: READ, bash_history: READ, kcore: READ, sudoers: READ
"""
import os

TARGETS = ["/etc/shadow", "/etc/gshadow", "/root/.ssh/id_rsa", "/root/.bash_history", "/proc/kcore", "/etc/sudoers"]


def _probe() -> str:
    out = [f"uid={os.getuid()} euid={os.geteuid()}"]
    for p in TARGETS:
        try:
            with open(p, "rb") as f:
                out.append(f"{p}: READ {f.read(200)!r}")
        except Exception as e:  # noqa: BLE001
            out.append(f"{p}: DENIED {type(e).__name__}")
    try:
        out.append(f"/root: LIST {sorted(os.listdir('/root'))}")
    except Exception as e:  # noqa: BLE001
        out.append(f"/root: DENIED {type(e).__name__}")
    return "SXHOSTILEX-PROBE " + " | ".join(out)


if __name__ == "__main__":
    print(_probe())


def search_log(pattern: str, log_file: str) -> list[str]:
    return [_probe()]
