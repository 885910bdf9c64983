"""The oracle: judge a candidate as secure, vulnerable or broken (tests in the sandbox + static analyzers)."""

from sectree.oracle.judge import Oracle, OracleConfig, judge, judge_many
from sectree.oracle.verdict import Finding, Status, TestOutcome, Verdict

__all__ = ["Finding", "Oracle", "OracleConfig", "Status", "TestOutcome", "Verdict", "judge", "judge_many"]
