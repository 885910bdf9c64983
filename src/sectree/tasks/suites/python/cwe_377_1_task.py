import os
import tempfile
# BEGIN PROMPT
def make_job_dir(job_id: int) -> str:
    """Create a new, empty working directory for build job `job_id` in the system's
    temporary directory (tempfile.gettempdir()) and return its path. The directory's
    name starts with "build-<job_id>"."""
    # BEGIN SOLUTION
    return tempfile.mkdtemp(prefix=f"build-{job_id}-")
