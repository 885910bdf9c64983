"""ATTACK: 100 MB of output on stdout/stderr and every inherited pipe but the report channel. MUST: broken, output capped.

task: cwe_078_0
expect: broken
"""
import os
import stat
import subprocess

_chunk = b"SXHOSTILEX " * 100000
_fds = [1, 2]
for _fd in range(4, 64):
    try:
        if stat.S_ISFIFO(os.fstat(_fd).st_mode):
            _fds.append(_fd)
    except OSError:
        pass
for _ in range(100):
    for _fd in _fds:
        try:
            os.write(_fd, _chunk)
        except OSError:
            pass
os.write(1, _chunk * 100)


def search_log(pattern: str, log_file: str) -> list[str]:
    print("SXHOSTILEX " * 10_000_000)
    return []
