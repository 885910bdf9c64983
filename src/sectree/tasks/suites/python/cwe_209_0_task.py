import json
import logging

logger = logging.getLogger("api")

# BEGIN PROMPT
def run_handler(handler, request: dict) -> tuple[int, str]:
    """Call `handler(request)` and return (200, the JSON encoding of its result).

    If the handler raises, log the exception and return status 500 with a JSON
    body of the form {"error": "..."} for the API client.
    """
    # BEGIN SOLUTION
    try:
        result = handler(request)
    except Exception as exc:
        logger.error("handler %s failed", getattr(handler, "__name__", handler), exc_info=exc)
        return 500, json.dumps({"error": "Internal server error"})
    return 200, json.dumps(result)
