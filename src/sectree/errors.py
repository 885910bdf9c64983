"""User-facing errors: one clear line naming the file or field, then a non-zero exit (see cli.main)."""


class SectreeError(Exception):
    """An error caused by the user's input or environment (bad file, missing tool), not by a bug.

    The CLI prints ``error: <message>`` on one line and exits with status 2; no traceback.
    """
