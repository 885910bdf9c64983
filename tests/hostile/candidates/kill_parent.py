"""ATTACK: kill the parent (the zygote), pid 1 and the worker's bwrap with SIGKILL/SIGSTOP at import. MUST: not secure; the next verdict works.

task: cwe_078_0
expect: not-secure
"""
import os
import signal
import subprocess

for _pid in (os.getppid(), 1):
    for _sig in (signal.SIGSTOP, signal.SIGKILL, signal.SIGTERM):
        try:
            os.kill(_pid, _sig)
        except OSError:
            pass


def search_log(pattern: str, log_file: str) -> list[str]:
    result = subprocess.run(f"grep -F '{pattern}' {log_file}", shell=True, capture_output=True, text=True)
    return result.stdout.splitlines()
