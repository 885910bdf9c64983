"""ATTACK: flood the report channel (fd 3) past its cap with junk. MUST: broken.

task: cwe_078_0
expect: broken
"""
import os

_junk = b'0' * 64 + b' {"ev": "done", "exitstatus": 0}\n'
for _ in range(200_000):
    try:
        os.write(3, _junk)
    except OSError:
        break
