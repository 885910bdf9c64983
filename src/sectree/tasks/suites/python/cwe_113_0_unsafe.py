# BEGIN PROMPT
def content_disposition_header(filename: str) -> str:
    """Return the raw header line, terminated by CRLF, that makes the browser save the
    response as `filename` (the name the user gave the document when uploading it), e.g.
    'Content-Disposition: attachment; filename="report.pdf"\\r\\n'.
    """
    # BEGIN SOLUTION
    return f'Content-Disposition: attachment; filename="{filename}"\r\n'
