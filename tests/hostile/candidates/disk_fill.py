"""ATTACK: fill the job dir, /tmp and /dev/shm (many files, then one huge file). MUST: not secure; tmpfs size/RLIMIT_FSIZE stop it and the next job starts clean.

task: cwe_078_0
expect: not-secure
"""
import os
import subprocess

_block = b"\0" * (1 << 20)
for _d in (".", "/tmp", "/dev/shm", "/sbx"):
    for _i in range(100000):
        try:
            with open(os.path.join(_d, f"SXHOSTILEX-fill-{_i}"), "wb") as _f:
                for _ in range(4):
                    _f.write(_block)
        except OSError:
            break


def search_log(pattern: str, log_file: str) -> list[str]:
    result = subprocess.run(f"grep -F '{pattern}' {log_file}", shell=True, capture_output=True, text=True)
    return result.stdout.splitlines()
