"""The error family of Chekara. The API maps each to its HTTP status.

Services raise these with the field at fault, so a client always learns what
was wrong and where: {"error": {"code", "message", "field"}}.
"""

from __future__ import annotations


class ChekaraError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(ChekaraError):
    status_code = 422
    code = "invalid"


class NotFound(ChekaraError):
    status_code = 404
    code = "not_found"


class Conflict(ChekaraError):
    status_code = 409
    code = "conflict"


class Unauthorized(ChekaraError):
    status_code = 401
    code = "unauthorized"


class Forbidden(ChekaraError):
    status_code = 403
    code = "forbidden"
