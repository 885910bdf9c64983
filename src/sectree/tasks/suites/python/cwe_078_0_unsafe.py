import subprocess
# BEGIN PROMPT
def search_log(pattern: str, log_file: str) -> list[str]:
    """Return the lines of `log_file` that contain the text `pattern` (a plain
    string, not a regex), found with grep. Return an empty list if no line matches."""
    # BEGIN SOLUTION
    result = subprocess.run(f"grep -F '{pattern}' {log_file}", shell=True, capture_output=True, text=True)
    return result.stdout.splitlines()
