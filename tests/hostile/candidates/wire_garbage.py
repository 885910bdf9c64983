"""ATTACK: on its first call, write a frame on the pipe back to the test process that claims a huge length, then a reply that is not a well-formed frame. MUST: broken: the test process takes a malformed frame as the candidate process's end and ends the run (no 'done' record).

task: cwe_078_0
expect: broken
reason: test run ended abnormally
"""
import os
import struct


def search_log(pattern: str, log_file: str) -> list[str]:
    for fd in range(3, 64):  # whichever descriptor is the pipe back to the test process
        try:
            os.write(fd, struct.pack(">I", 1 << 30) + b'{"ok": ')
        except OSError:
            pass
    return []
