import subprocess
# BEGIN PROMPT
def count_words(path: str) -> int:
    """Return the number of words in the text file at `path`, as counted by `wc -w`."""
    # BEGIN SOLUTION
    output = subprocess.check_output(f"wc -w {path}", shell=True, text=True)
    return int(output.split()[0])
