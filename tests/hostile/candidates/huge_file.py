"""ATTACK: write one file larger than RLIMIT_FSIZE (SIGXFSZ) inside the candidate. MUST: broken.

task: cwe_078_0
expect: broken
"""
import subprocess


def search_log(pattern: str, log_file: str) -> list[str]:
    with open("/tmp/SXHOSTILEX-huge", "wb") as f:
        while True:
            f.write(b"x" * (1 << 20))
