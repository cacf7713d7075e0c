"""Errors of the web app; app.py turns each into a page or a JSON answer."""
from __future__ import annotations


class WebError(Exception):
    """Root of the web app's errors."""


class LoginRequired(WebError):
    """Raised by ``deps.current_principal`` when there is no valid session or token (303 to /login, or 401)."""


class CsrfError(WebError):
    """Raised by ``deps.csrf_protect`` when a state-changing form lacks the session's CSRF token (403)."""
