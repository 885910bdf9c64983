"""ATTACK: SIGSTOP itself (and its process group) inside the test. MUST: broken (timeout); a stopped process is still killed.

task: cwe_078_0
expect: broken
slow: yes
reason: timeout
"""
import os
import signal
import subprocess


def search_log(pattern: str, log_file: str) -> list[str]:
    os.killpg(0, signal.SIGSTOP)
    os.kill(os.getpid(), signal.SIGSTOP)
    return []
