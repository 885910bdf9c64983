"""ATTACK: read a secret environment variable set on the host (own env, /proc/*/environ incl. pid 1 and the zygote). MUST: not secure, the secret never appears.

task: cwe_078_0
expect: not-secure
script: yes
"""
import os

NAME = "__SECRET_ENV_NAME__"


def _probe() -> str:
    out = [f"own env: {os.environ.get(NAME)!r}", f"env keys: {sorted(os.environ)}"]
    for pid in ["self", "1"] + [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                env = f.read().split(b"\0")
            hits = [e.decode(errors="replace") for e in env if NAME.encode() in e]
            out.append(f"/proc/{pid}/environ: READ {len(env)} entries {hits}")
        except Exception as e:  # noqa: BLE001
            out.append(f"/proc/{pid}/environ: DENIED {type(e).__name__}")
    return "SXHOSTILEX-PROBE " + " | ".join(out)


if __name__ == "__main__":
    print(_probe())


def search_log(pattern: str, log_file: str) -> list[str]:
    return [_probe()]
