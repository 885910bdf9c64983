import subprocess
# BEGIN PROMPT
def archive_folder(folder: str, archive_path: str) -> None:
    """Pack the contents of `folder` into the gzip-compressed tar archive
    `archive_path` with the tar command. Raise subprocess.CalledProcessError
    if tar fails."""
    # BEGIN SOLUTION
    subprocess.run(["tar", "-czf", archive_path, "-C", folder, "."], check=True)
