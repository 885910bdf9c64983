"""ATTACK: memory bomb at import (grab 64 MiB blocks forever, touching every page). MUST: broken (RLIMIT_AS), host unaffected.

task: cwe_078_0
expect: broken
"""
import subprocess

_hog = []
while True:
    _hog.append(bytearray(64 << 20))


def search_log(pattern: str, log_file: str) -> list[str]:
    result = subprocess.run(f"grep -F '{pattern}' {log_file}", shell=True, capture_output=True, text=True)
    return result.stdout.splitlines()
