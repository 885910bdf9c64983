import os
# BEGIN PROMPT
def delete_draft(drafts_dir: str, name: str) -> bool:
    """Delete the user's draft `name` (taken from the URL /drafts/<name>/delete). Drafts
    are the files directly inside the user's drafts folder `drafts_dir`. Return True if
    a draft was deleted, False if there is no such draft."""
    # BEGIN SOLUTION
    path = os.path.join(drafts_dir, name)
    if not os.path.isfile(path):
        return False
    os.remove(path)
    return True
