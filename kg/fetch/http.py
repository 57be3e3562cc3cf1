"""The one HTTP client of hemicycle-kg (httpx) for what is not a SPARQL query: downloads, loads, probes.

One place sets the User-Agent, the timeouts and the retry policy (backoff on 5xx, 429 and network errors), so
every command that talks HTTP behaves the same way.
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from kg import __version__
from kg.errors import EndpointError

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


def wait_until_ready(
    url: str,
    *,
    seconds: float = 30.0,
    ready: Callable[[httpx.Response], bool] = lambda r: r.status_code < 500,
    interval: float = 0.1,
) -> None:
    """Poll ``url`` until ``ready(response)`` (by default: any answer below 500) or raise
    :class:`EndpointError` after ``seconds`` (a readiness probe for servers this tool starts)."""
    deadline = time.monotonic() + seconds
    last = "no answer"
    with make_client(timeout=httpx.Timeout(2.0)) as client:
        while True:
            try:
                response = client.get(url)
                if ready(response):
                    return
                last = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                last = describe(exc)
            if time.monotonic() >= deadline:
                raise EndpointError(f"{url} did not become ready in {seconds:.0f} s ({last})")
            time.sleep(interval)
