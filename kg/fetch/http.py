"""The HTTP client of kg fetch, kg update and kg load (httpx): one User-Agent, timeouts and retry policy.

One place sets the User-Agent, the timeouts and the retry policy (backoff on 5xx, 429 and network errors), so
the commands that download and upload behave the same way (``kg serve`` proxies with httpx's async client).
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass

import httpx

from kg import __version__

USER_AGENT = f"hemicycle-kg/{__version__} (open-data client; python-httpx/{httpx.__version__})"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 5  # requests per item, the first one included
    backoff: float = 2.0  # seconds before the 2nd attempt, doubled each time
    max_backoff: float = 60.0
    connect_timeout: float = 20.0
    read_timeout: float = 60.0  # between two chunks of a body, not for the whole body

    def delay(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds to wait after failed attempt number ``attempt`` (1-based); a server's ``Retry-After``
        wins when it asks for no longer than :attr:`max_backoff`."""
        wait = min(self.max_backoff, self.backoff * 2.0 ** (attempt - 1))
        asked = _retry_after(retry_after)
        if asked is not None and asked <= self.max_backoff:
            wait = max(wait, asked)
        return wait

    def timeout(self) -> httpx.Timeout:
        return httpx.Timeout(self.read_timeout, connect=self.connect_timeout)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def make_client(
    *,
    timeout: httpx.Timeout | float | None = None,
    auth: httpx.Auth | None = None,
    follow_redirects: bool = True,
) -> httpx.Client:
    """A client with the project's User-Agent; ``timeout`` defaults to :class:`RetryPolicy`'s."""
    return httpx.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=timeout if timeout is not None else RetryPolicy().timeout(),
        auth=auth,
        follow_redirects=follow_redirects,
    )


def describe(exc: BaseException) -> str:
    """A network error as a short sentence (httpx's messages, one line)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if isinstance(exc, httpx.TimeoutException) else text
