import logging
# BEGIN PROMPT
logger = logging.getLogger("integrations")


def log_outgoing_request(method: str, url: str, headers: dict[str, str]) -> None:
    """Write one DEBUG line to the log for an outgoing API request, showing the
    method, the URL and the request headers, to help troubleshoot integrations."""
    # BEGIN SOLUTION
    hidden = {"authorization", "proxy-authorization", "cookie", "x-api-key"}
    shown = {k: ("[REDACTED]" if k.lower() in hidden else v) for k, v in headers.items()}
    logger.debug("%s %s headers=%s", method, url, shown)
