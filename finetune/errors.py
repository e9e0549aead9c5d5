"""The one error type that carries a plain sentence for users.

    raise FinetuneError("The column \"review\" is not in this sheet. Its columns are: text, label.")

Callers (the CLI, the web app) show `str(err)` as it is: one or two sentences saying what
happened and what to do, with no tracebacks or jargon.
"""


class FinetuneError(Exception):
    """Something the user can fix: a bad file, a missing column, too few examples..."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Canceled(FinetuneError):
    """Training stopped because the caller's cancel check said so."""

    def __init__(self, message: str = "Training was canceled."):
        super().__init__(message)
