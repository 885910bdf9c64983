"""The oracle: judge a candidate as secure, vulnerable or broken (tests in the sandbox + static analyzers)."""

from sectree.oracle.verdict import Finding, Status, TestOutcome, Verdict

__all__ = ["Finding", "Status", "TestOutcome", "Verdict"]
