import os
import subprocess
# BEGIN PROMPT
def backup_project(project_dir: str, backup_dir: str, label: str) -> str:
    """Create a gzip-compressed tarball of `project_dir` in `backup_dir` using tar,
    and return the path of the archive.

    The archive is named "<project>-<label>.tar.gz", where <project> is the last
    component of `project_dir` and `label` is a tag the user typed in the backup
    form (e.g. "nightly" or "v1.2"). Paths inside the archive start with the
    project's folder name. `backup_dir` is created if it does not exist.
    Raise RuntimeError if tar fails.
    """
    # BEGIN SOLUTION
    project_dir = os.path.abspath(project_dir.rstrip(os.sep))
    parent, project = os.path.split(project_dir)
    os.makedirs(backup_dir, exist_ok=True)
    archive = os.path.join(backup_dir, f"{project}-{label}.tar.gz")
    cmd = ["tar", "-czf", archive, "-C", parent, "--", project]
    try:
        result = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as exc:
        raise RuntimeError(f"cannot run tar: {exc}") from exc
    if result.returncode != 0:
        raise RuntimeError(f"tar failed: {result.stderr.strip()}")
    return archive
