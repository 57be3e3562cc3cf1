"""Where queries run: the embedded store or a remote SPARQL 1.1 endpoint, each answering with a result table.

The embedded pyoxigraph store is bounded in time and rows; a remote endpoint is reached through SPARQLWrapper
(Basic or Digest authentication)."""

from __future__ import annotations

import base64
import re
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import pyoxigraph as ox

from kg.errors import EndpointError, InputError
from kg.query.catalog import QuerySpec
from kg.query.results import ResultTable, Term, one_line, results_from_json
from kg.store import EmbeddedStore

if TYPE_CHECKING:
    import httpx

#: ``kg query`` on the embedded store: a query running longer is abandoned (``None``: no limit) …
DEFAULT_QUERY_TIMEOUT_S = 120.0
#: … and one giving more rows than this is refused (``None``: no limit).
DEFAULT_MAX_ROWS = 1_000_000


class QueryTarget(Protocol):
    """Where a query runs: the embedded store or a SPARQL endpoint. Both answer with a :class:`ResultTable`."""

    @property
    def description(self) -> str: ...

    def execute(self, text: str, *, name: str = "query") -> ResultTable: ...


class EmbeddedTarget:
    """The embedded pyoxigraph store, queried over the union of its named graphs.

    ``timeout`` (seconds) and ``max_rows`` bound a query (``None``: no bound). pyoxigraph cannot cancel a
    query, but it releases the GIL while it evaluates: the query runs in a daemon thread, and past the
    timeout :meth:`execute` gives up waiting and raises. Rows are produced lazily, and the thread stops at
    the next row once the time is up; a query that computes for long before its first row (a big sort or
    aggregate) keeps its thread busy until that row or the end of the process (``kg query`` exits at once)."""

    def __init__(
        self,
        store: EmbeddedStore,
        *,
        timeout: float | None = DEFAULT_QUERY_TIMEOUT_S,
        max_rows: int | None = DEFAULT_MAX_ROWS,
    ) -> None:
        self.store = store
        self.timeout = timeout or None
        self.max_rows = max_rows or None

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        timeout: float | None = DEFAULT_QUERY_TIMEOUT_S,
        max_rows: int | None = DEFAULT_MAX_ROWS,
    ) -> EmbeddedTarget:
        return cls(EmbeddedStore(path, read_only=True), timeout=timeout, max_rows=max_rows)

    @property
    def description(self) -> str:
        return f"store {self.store.path}" if self.store.path else "store (in memory)"

    def execute(self, text: str, *, name: str = "query") -> ResultTable:
        if self.timeout is None:
            return self._evaluate(text, name, None)
        deadline = time.monotonic() + self.timeout
        outcome: list[ResultTable | BaseException] = []

        def work() -> None:
            try:
                outcome.append(self._evaluate(text, name, deadline))
            except BaseException as exc:  # handed to the caller's thread, without the frames that hold
                outcome.append(exc.with_traceback(None))  # pyoxigraph objects (dropped in this thread only)

        worker = threading.Thread(target=work, name=f"kg-query-{name}", daemon=True)
        worker.start()
        worker.join(self.timeout)
        if not outcome:
            raise self._timed_out(name)
        result = outcome[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def _timed_out(self, name: str) -> InputError:
        return InputError(
            f"the query ran longer than {self.timeout:g} s and was abandoned "
            "(give a longer --timeout, or 0 for no limit)",
            file=name,
            field="--timeout",
        )

    def _rows(
        self, solutions: ox.QuerySolutions, width: int, name: str, deadline: float | None
    ) -> tuple[tuple[Term | None, ...], ...]:
        rows: list[tuple[Term | None, ...]] = []
        limit = self.max_rows
        for solution in solutions:
            rows.append(tuple(solution[i] for i in range(width)))
            if limit is not None and len(rows) > limit:
                raise InputError(
                    f"the query gives more than {limit} rows (add a LIMIT, or give a larger --max-rows)",
                    file=name,
                    field="--max-rows",
                )
            if deadline is not None and len(rows) % 1024 == 0 and time.monotonic() > deadline:
                raise self._timed_out(name)
        return tuple(rows)

    def _evaluate(self, text: str, name: str, deadline: float | None) -> ResultTable:
        started = time.perf_counter()
        try:
            result = self.store.store.query(text, use_default_graph_as_union=True)
            if isinstance(result, ox.QueryBoolean):
                return ResultTable(
                    ("ask",),
                    ((ox.Literal(bool(result)),),),
                    time.perf_counter() - started,
                    self.description,
                )
            if not isinstance(result, ox.QuerySolutions):
                raise InputError("only SELECT and ASK queries can be run here", file=name)
            columns = tuple(v.value for v in result.variables)
            rows = self._rows(result, len(columns), name, deadline)
        except SyntaxError as exc:
            raise InputError(f"SPARQL syntax error: {exc}", file=name) from None
        except OSError as exc:
            raise InputError(f"the store cannot be read ({exc})", file=name) from None
        return ResultTable(columns, rows, time.perf_counter() - started, self.description)


class EndpointTarget:
    """A SPARQL 1.1 Protocol endpoint (``…/query`` of Oxigraph, ``…/sparql`` of Virtuoso, …), through
    SPARQLWrapper, POSTing the query and reading JSON results. The endpoint's default graph must be the
    union of the named graphs (Oxigraph: ``--union-default-graph``; Virtuoso, GraphDB: by default).

    With credentials it answers the endpoint's challenge as ``kg load`` does: a first, cheap ``ASK {}``
    without credentials learns whether the endpoint asks for HTTP Digest or Basic (Digest preferred when it
    offers both), then every query is sent already authorised (Digest through httpx's implementation: MD5,
    SHA-256, SHA-512 and their -sess variants). An endpoint that asks for nothing is sent no password. A
    Digest nonce is reused with a growing count; when the endpoint refuses it (stale), the challenge is
    learnt again once."""

    def __init__(
        self,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 120.0,
    ) -> None:
        if not re.match(r"^https?://\S+$", url):
            raise InputError(f"{url!r} is not an http(s) URL", field="--endpoint")
        self.url = url
        self.user = user
        self.password = password
        self.timeout = timeout
        #: the scheme the endpoint asked for (``digest``, ``basic``, ``""``: none), once learnt
        self.scheme: str | None = None
        self._challenge = ""
        self._digest: httpx.DigestAuth | None = None

    @property
    def description(self) -> str:
        return f"endpoint {self.url}"

    def execute(self, text: str, *, name: str = "query") -> ResultTable:
        from SPARQLWrapper import JSON, POST, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import Unauthorized

        started = time.perf_counter()
        for attempt in (1, 2):
            client = SPARQLWrapper(self.url)
            client.setMethod(POST)
            client.setReturnFormat(JSON)
            client.setTimeout(max(1, round(self.timeout)))
            client.setQuery(text)
            header = self._authorization(relearn=attempt > 1)
            if header is not None:
                client.addCustomHttpHeader("Authorization", header)
            try:
                payload = client.queryAndConvert()
            except Unauthorized:
                if attempt == 1 and self.scheme == "digest":
                    continue  # a stale nonce: learn the challenge again, once
                raise EndpointError(self._refused()) from None
            except Exception as exc:  # SPARQLWrapper, urllib and socket errors alike
                raise EndpointError(f"{self.url}: {one_line(exc)}") from None
            break
        if not isinstance(payload, dict):
            raise EndpointError(f"{self.url}: the endpoint did not answer with SPARQL JSON results")
        table = results_from_json(payload, where=self.url)
        return ResultTable(table.columns, table.rows, time.perf_counter() - started, self.description)

    def _refused(self) -> str:
        if self.user is None:
            return (
                f"{self.url}: the endpoint asks for credentials (HTTP 401; give them in "
                "KG_ENDPOINT_USER and KG_ENDPOINT_PASSWORD)"
            )
        return f"{self.url}: the endpoint refused the credentials of user {self.user!r} (HTTP 401)"

    def _authorization(self, *, relearn: bool = False) -> str | None:
        """The ``Authorization`` header for the next query (``None``: send none)."""
        import httpx

        if self.user is None:
            return None
        if self.scheme is None or relearn:
            self._learn()
        if self.scheme == "basic":
            token = base64.b64encode(f"{self.user}:{self.password or ''}".encode()).decode("ascii")
            return f"Basic {token}"
        if self.scheme != "digest" or self._digest is None:
            return None
        request = httpx.Request("POST", self.url)
        flow = self._digest.sync_auth_flow(request)
        try:
            sent = next(flow)
            if "Authorization" not in sent.headers:  # first use: answer the challenge learnt
                challenge = httpx.Response(401, headers={"WWW-Authenticate": self._challenge}, request=sent)
                sent = flow.send(challenge)
        except (NotImplementedError, httpx.HTTPError, StopIteration) as exc:
            raise EndpointError(
                f"{self.url}: cannot answer the HTTP Digest challenge ({one_line(exc)})"
            ) from None
        finally:
            flow.close()
        return sent.headers["Authorization"]

    def _learn(self) -> None:
        """Ask the endpoint a trivial query without credentials and keep the challenge it answers with."""
        import httpx

        try:
            response = httpx.post(
                self.url,
                data={"query": "ASK {}"},
                headers={"Accept": "application/sparql-results+json"},
                timeout=self.timeout,
            )
        except httpx.HTTPError as exc:
            raise EndpointError(f"{self.url}: {one_line(exc)}") from None
        self.scheme, self._challenge, self._digest = "", "", None
        if response.status_code != 401:
            return
        challenges = response.headers.get_list("www-authenticate")
        for wanted in ("digest", "basic"):
            for challenge in challenges:
                if challenge.strip().lower().startswith(wanted):
                    self.scheme, self._challenge = wanted, challenge
                    if wanted == "digest":
                        self._digest = httpx.DigestAuth(self.user or "", self.password or "")
                    return


def run_query(spec: QuerySpec, values: Mapping[str, str], target: QueryTarget) -> ResultTable:
    """Bind ``values`` (validated against the header) and run ``spec`` on ``target``."""
    return target.execute(spec.render(values), name=spec.name)
