import ssl

# BEGIN PROMPT
def make_internal_client_context(ca_file: str) -> ssl.SSLContext:
    """Return the SSLContext our HTTPS client uses to call internal services. Their
    certificates are issued by the company CA whose certificate is in `ca_file` (PEM).
    """
    # BEGIN SOLUTION
    context = ssl.SSLContext(ssl.PROTOCOL_TLS)
    context.load_verify_locations(ca_file)
    return context
