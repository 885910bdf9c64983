"""ATTACK: `kill -9 -1` (and kill -STOP -1) from inside a test. MUST: broken; the next verdict works.

task: cwe_078_0
expect: broken
slow: yes
"""
import os
import signal
import subprocess


def search_log(pattern: str, log_file: str) -> list[str]:
    subprocess.run(["kill", "-STOP", "-1"])
    os.kill(-1, signal.SIGKILL)
    return []
