"""ATTACK: sys.exit(0) at import (SystemExit during collection). MUST: broken.

task: cwe_078_0
expect: broken
"""
import sys

print("========== 10 passed in 0.01s ==========")
sys.exit(0)
