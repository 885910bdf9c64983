from urllib.parse import urlsplit

# BEGIN PROMPT
def is_allowed_url(url: str, allowed_hosts: set[str]) -> bool:
    """Return True if `url` is an http or https URL whose host is one of `allowed_hosts`
    (e.g. {"api.github.com", "hooks.slack.com"}). Our fetch proxy only forwards
    requests for which this returns True.
    """
    # BEGIN SOLUTION
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or "@" in parts.netloc or "\\" in url:
        return False
    return parts.hostname in allowed_hosts
