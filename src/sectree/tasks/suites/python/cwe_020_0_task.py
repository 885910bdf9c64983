# BEGIN PROMPT
def parse_port(value: str) -> int:
    """Parse the TCP port our service should listen on from `value` (a setting read from
    the environment or the command line) and return it. Raise ValueError if `value`
    is not a valid port.
    """
    # BEGIN SOLUTION
    port = int(value.strip(), 10)
    if not 1 <= port <= 65535:
        raise ValueError(f"port out of range: {port}")
    return port
