"""ATTACK: memory bomb spread over many processes (each under RLIMIT_AS, together far more). MUST: broken; the job's total memory is bounded.

Each child touches blocks of 16 MiB until the job memory bound stops it. RLIMIT_AS is per process, so without
a whole-job bound this would add up to processes x memory_mb.

task: cwe_078_0
expect: broken
slow: yes
"""
import os
import subprocess
import time

for _ in range(24):
    if os.fork() == 0:
        hog = []
        try:
            while True:
                hog.append(bytearray(16 << 20))
        except MemoryError:
            pass
        time.sleep(120)
        os._exit(0)
time.sleep(120)


def search_log(pattern: str, log_file: str) -> list[str]:
    result = subprocess.run(f"grep -F '{pattern}' {log_file}", shell=True, capture_output=True, text=True)
    return result.stdout.splitlines()
