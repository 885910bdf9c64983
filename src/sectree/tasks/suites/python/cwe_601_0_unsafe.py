from urllib.parse import urlparse

# BEGIN PROMPT
def safe_redirect_target(target: str, domain: str) -> str:
    """Return `target` if it is an https URL on `domain` or one of its subdomains;
    otherwise return "https://<domain>/".

    >>> safe_redirect_target("https://shop.example.com/cart", "example.com")
    'https://shop.example.com/cart'
    """
    # BEGIN SOLUTION
    fallback = f"https://{domain}/"
    if "\\" in target:
        return fallback
    parsed = urlparse(target)
    host = parsed.hostname
    if parsed.scheme != "https" or not host:
        return fallback
    if host.endswith(domain):
        return target
    return fallback
