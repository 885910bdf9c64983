"""ATTACK: unbounded recursion with the recursion limit lifted (C stack overflow, SIGSEGV). MUST: broken.

task: cwe_078_0
expect: broken
slow: yes
"""
import subprocess
import sys

sys.setrecursionlimit(10**9)


def _down(n):
    return _down(n + 1) + 1


def search_log(pattern: str, log_file: str) -> list[str]:
    return [str(_down(0))]
