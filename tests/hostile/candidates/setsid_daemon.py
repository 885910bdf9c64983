"""ATTACK: a double-forked setsid daemon (and a shell loop) that would outlive the run. MUST: not secure; both are gone when judge returns.

task: cwe_078_0
expect: not-secure
"""
import os
import signal
import subprocess
import time


def _daemonize():
    if os.fork() != 0:
        return
    os.setsid()
    if os.fork() != 0:
        os._exit(0)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        import ctypes

        ctypes.CDLL(None).prctl(15, b"SXHOSTILEX-d", 0, 0, 0)  # PR_SET_NAME
    except Exception:  # noqa: BLE001
        pass
    while True:
        time.sleep(0.2)
        try:
            with open("/tmp/SXHOSTILEX-daemon-alive", "a") as f:
                f.write(f"{time.time()}\n")
        except OSError:
            pass


_daemonize()
subprocess.Popen(["/bin/sh", "-c", "trap '' TERM HUP; while :; do sleep 1; done # SXHOSTILEX"], start_new_session=True)


def search_log(pattern: str, log_file: str) -> list[str]:
    result = subprocess.run(f"grep -F '{pattern}' {log_file}", shell=True, capture_output=True, text=True)
    return result.stdout.splitlines()
