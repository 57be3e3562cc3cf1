"""The serving defaults the command line shows, apart from the server's code.

Every ``kg`` command then starts without importing the web stack."""

from __future__ import annotations

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
UPDATE_TOKEN_ENV = "KG_UPDATE_TOKEN"
DEFAULT_TIMEOUT_S = 30
DEFAULT_MAX_RESULTS = 100_000
