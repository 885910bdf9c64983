"""ATTACK: sleep far past the wall-clock limit (no CPU used, so RLIMIT_CPU never fires). MUST: broken (timeout).

task: cwe_078_0
expect: broken
slow: yes
reason: timeout
"""
import subprocess
import time


def search_log(pattern: str, log_file: str) -> list[str]:
    time.sleep(3600)
    return []
