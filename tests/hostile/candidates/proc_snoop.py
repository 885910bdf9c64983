"""ATTACK: read other processes via /proc (cmdline, maps, mem of the zygote and pid 1, /proc/1/environ, fds). MUST: not secure; nothing of theirs readable.

The zygote holds the report key of every job in memory before forking it: reading /proc/<zygote>/mem would
let a job forge reports, so it must be denied.

task: cwe_078_0
expect: not-secure
script: yes
forbid: /mem: READ, /environ: READ, /fd: LIST, /root: LIST, /cwd: LIST
"""
import os


def _probe() -> str:
    out = [f"pids: {sorted(int(p) for p in os.listdir('/proc') if p.isdigit())}", f"me: {os.getpid()} parent: {os.getppid()}"]
    for pid in sorted({1, os.getppid()}):
        for leaf in ("cmdline", "environ", "maps", "mem", "fd", "root", "cwd", "status"):
            p = f"/proc/{pid}/{leaf}"
            try:
                if leaf in ("fd", "root", "cwd"):
                    out.append(f"{p}: LIST {sorted(os.listdir(p))[:10]}")
                elif leaf == "mem":
                    with open(p, "rb") as f:
                        f.seek(0x400000)
                        out.append(f"{p}: READ {len(f.read(64))} bytes")
                elif leaf == "status":
                    with open(p) as f:
                        out.append(f"{p}: {[l for l in f.read().splitlines() if l.startswith(('Uid', 'CapEff', 'NoNewPrivs', 'Seccomp'))]}")
                else:
                    with open(p, "rb") as f:
                        out.append(f"{p}: READ {f.read(300)!r}")
            except Exception as e:  # noqa: BLE001
                out.append(f"{p}: DENIED {type(e).__name__}")
    return "SXHOSTILEX-PROBE " + " | ".join(out)


if __name__ == "__main__":
    print(_probe())


def search_log(pattern: str, log_file: str) -> list[str]:
    return [_probe()]
