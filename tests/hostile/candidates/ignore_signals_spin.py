"""ATTACK: ignore every catchable signal (SIGXCPU, SIGTERM, ...) then spin. MUST: broken; SIGKILL still ends it.

task: cwe_078_0
expect: broken
slow: yes
"""
import signal
import subprocess

for _s in range(1, 65):
    try:
        signal.signal(_s, signal.SIG_IGN)
    except (OSError, ValueError, RuntimeError):
        pass


def search_log(pattern: str, log_file: str) -> list[str]:
    while True:
        pass
