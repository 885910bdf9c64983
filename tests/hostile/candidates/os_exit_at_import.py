"""ATTACK: os._exit(0) at import, hoping exit code 0 reads as success. MUST: broken (no signed 'done' record).

task: cwe_078_0
expect: broken
"""
import os

print("10 passed in 0.01s")
os._exit(0)
