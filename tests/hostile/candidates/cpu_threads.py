"""ATTACK: CPU spin in 32 threads and 8 processes at import. MUST: broken (RLIMIT_CPU / wall clock), nothing left spinning.

task: cwe_078_0
expect: broken
slow: yes
"""
import os
import subprocess
import threading


def _spin():
    x = 0
    while True:
        x += 1


for _ in range(8):
    if os.fork() == 0:
        break
for _ in range(32):
    threading.Thread(target=_spin, daemon=True).start()
_spin()


def search_log(pattern: str, log_file: str) -> list[str]:
    result = subprocess.run(f"grep -F '{pattern}' {log_file}", shell=True, capture_output=True, text=True)
    return result.stdout.splitlines()
