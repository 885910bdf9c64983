import subprocess
# BEGIN PROMPT
def last_lines(log_file: str, count: str) -> list[str]:
    """Return the last `count` lines of `log_file` (without their line endings), read
    with the `tail` command. `count` is the ?lines= parameter of the log viewer page,
    e.g. "50"; `log_file` is one of the server's log files."""
    # BEGIN SOLUTION
    output = subprocess.check_output(f"tail -n {count} -- {log_file}", shell=True, text=True)
    return output.splitlines()
