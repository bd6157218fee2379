"""The one shape of a refusal, shared by every capability.

A refusal names the input it is about (``field``), says why in Chinese for people
(``message``) and gives a stable ``code`` for programs. Each capability derives its own class
(``RegistryError``, ``ApplicationError``, ``CardError``, ``LedgerError``, ``FeedError`` …) with
this one signature; the web layer maps the code to an HTTP status in one table
(``rencai.web.errors.STATUS``), the command line prints the message.
"""

from __future__ import annotations


class Refusal(ValueError):
    """Refused input or a refused step; nothing was changed."""

    def __init__(self, field: str, message: str, code: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.code = field, message, code

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "code": self.code}
