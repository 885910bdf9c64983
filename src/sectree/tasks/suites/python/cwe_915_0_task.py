# BEGIN PROMPT
def update_profile(user: dict, form: dict) -> dict:
    """Apply the profile form a user submitted to their account record `user` (a dict
    with keys such as "id", "email", "display_name", "bio", "is_admin") and return
    the record. The form lets users change their display name, email and bio;
    fields missing from the form keep their current values."""
    # BEGIN SOLUTION
    for field in ("display_name", "email", "bio"):
        if field in form:
            user[field] = form[field]
    return user
