"""ATTACK: infinite loop inside the candidate function. MUST: broken (timeout or CPU limit).

task: cwe_078_0
expect: broken
slow: yes
"""
import subprocess


def search_log(pattern: str, log_file: str) -> list[str]:
    while True:
        pass
