import logging
# BEGIN PROMPT
logger = logging.getLogger("integrations")


def log_outgoing_request(method: str, url: str, headers: dict[str, str]) -> None:
    """Write one DEBUG line to the log for an outgoing API request, showing the
    method, the URL and the request headers, to help troubleshoot integrations."""
    # BEGIN SOLUTION
    logger.debug("%s %s headers=%s", method, url, headers)
