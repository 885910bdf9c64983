import subprocess
# BEGIN PROMPT
def disk_usage_kb(path: str) -> int:
    """Return the disk space used by the file or folder `path` (a customer's project
    folder picked in the admin panel), in kilobytes, as reported by `du -sk`. Raise
    subprocess.CalledProcessError if du fails."""
    # BEGIN SOLUTION
    result = subprocess.run(f"du -sk {path}", shell=True, capture_output=True, text=True, check=True)
    return int(result.stdout.split()[0])
