"""ATTACK: raise the rlimits back (CPU, AS, NPROC, FSIZE) then spin. MUST: broken; hard limits cannot be raised.

task: cwe_078_0
expect: broken
slow: yes
"""
import resource
import subprocess

for _r in (resource.RLIMIT_CPU, resource.RLIMIT_AS, resource.RLIMIT_NPROC, resource.RLIMIT_FSIZE, resource.RLIMIT_NOFILE):
    try:
        resource.setrlimit(_r, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    except (ValueError, OSError):
        pass


def search_log(pattern: str, log_file: str) -> list[str]:
    while True:
        pass
