"""Type stubs of the native module ``ironward._ironward``."""

from typing import Any, Callable, Dict, Final, List, Optional, Sequence, Tuple, Union

__version__: Final[str]
ROUTE_UNKNOWN: Final[int]
ROUTE_MATCHED: Final[int]
ROUTE_NOT_FOUND: Final[int]
ROUTE_METHOD_NOT_ALLOWED: Final[int]

class ConfigError(ValueError):
    """The configuration is invalid; ``errors`` lists every problem found."""

    errors: List[str]

class Verdict:
    """The engine's decision about a request, a response or a stream chunk."""

    @property
    def action(self) -> str: ...  # allow | monitor | block | block_and_blacklist
    @property
    def blocked(self) -> bool: ...
    @property
    def flagged(self) -> bool: ...
    @property
    def monitored(self) -> bool: ...
    @property
    def status(self) -> Optional[int]: ...
    @property
    def body(self) -> Optional[bytes]: ...
    @property
    def location(self) -> Optional[str]: ...
    @property
    def headers(self) -> List[Tuple[str, str]]: ...
    @property
    def client_ip(self) -> Optional[str]: ...
    @property
    def internal_error(self) -> Optional[str]: ...
    @property
    def skipped(self) -> Optional[str]: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def findings(self) -> List[dict]: ...  # a sink finding also has "sink": {...}
    @property
    def sink_context(self) -> Optional["SinkContext"]: ...

class SinkContext:
    """The inputs of one request, kept for its sink checks."""

    @staticmethod
    def from_values(
        values: Sequence[str],
        method: str = "TASK",
        path: str = "/",
        objects_json: Optional[str] = None,
    ) -> "SinkContext": ...
    def values(self) -> List[str]: ...
    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def client_ip(self) -> Optional[str]: ...
    def __len__(self) -> int: ...

_Caller = Union[None, str, Callable[[], str]]

class DlpStream:
    """DLP over a streamed response."""

    def push(self, chunk: bytes) -> Optional[Verdict]: ...
    def finish(self) -> Optional[Verdict]: ...
    @property
    def done(self) -> bool: ...

_Headers = Sequence[Tuple[str, str]]

class Engine:
    """The configuration, engine and event shipper of one application."""

    def __init__(
        self,
        template: Optional[str] = None,
        conf: Optional[str] = None,
        params: Optional[str] = None,
        previous: Optional["Engine"] = None,
        remote: Optional[str] = None,
        _fault: bool = False,
    ) -> None: ...
    def inspect_request(
        self,
        method: str,
        path: str,
        query: str = "",
        headers: _Headers = ...,
        peer_ip: Optional[str] = None,
        body: Optional[bytes] = None,
        body_len: Optional[int] = None,
        route: int = 0,
    ) -> Verdict: ...
    def inspect_wsgi(
        self,
        environ: dict,
        body: Optional[bytes] = None,
        body_len: Optional[int] = None,
        route: int = 0,
    ) -> Verdict: ...
    # Debugging and testing aids (the adapters never call them): what the engine inspects in
    # a request given as inspect_request / inspect_wsgi take it, as
    # [(location, name or None, value)], decoded variants included; and the (path, query) it
    # reads from a WSGI environ.
    def inspected_values(
        self,
        method: str,
        path: str,
        query: str = "",
        headers: _Headers = ...,
        peer_ip: Optional[str] = None,
        body: Optional[bytes] = None,
        body_len: Optional[int] = None,
    ) -> List[Tuple[str, Optional[str], str]]: ...
    def inspected_values_wsgi(
        self,
        environ: dict,
        body: Optional[bytes] = None,
        body_len: Optional[int] = None,
    ) -> List[Tuple[str, Optional[str], str]]: ...
    def wsgi_target(self, environ: dict) -> Tuple[str, str]: ...
    def inspect_response(
        self,
        verdict: Verdict,
        status: int,
        headers: _Headers = ...,
        body: Optional[bytes] = None,
    ) -> Verdict: ...
    def dlp_stream(
        self, verdict: Verdict, status: int, headers: _Headers = ...
    ) -> Optional[DlpStream]: ...
    # MCP tool calls (McpToolRASP side="tool", McpHostRASP side="host"): the arguments as
    # JSON text before the tool runs / the call is sent; the result text after (DLP, and
    # prompt injection on the host side). client_ip/headers: the HTTP request that carried
    # the call (a peer in TRUSTED_PROXIES is replaced by the forwarded client). Findings are
    # reported as MCP events; the verdict's method is "tools/call" and its path the tool's name.
    def inspect_tool_call(
        self,
        tool: str,
        arguments: str,
        side: str = "tool",
        client_ip: Optional[str] = None,
        headers: _Headers = ...,
    ) -> Verdict: ...
    def inspect_tool_result(
        self,
        tool: str,
        result: str,
        side: str = "tool",
        client_ip: Optional[str] = None,
        headers: _Headers = ...,
    ) -> Verdict: ...
    @property
    def server_header(self) -> Optional[str]: ...
    @property
    def max_body_bytes(self) -> int: ...
    @property
    def dlp_max_body_bytes(self) -> int: ...
    @property
    def inspects_responses(self) -> bool: ...
    def response_needed(self, verdict: Verdict, status: int) -> bool: ...
    @property
    def dlp_enabled(self) -> bool: ...
    @property
    def fail_open(self) -> bool: ...
    @property
    def verbose(self) -> int: ...
    @property
    def app_name(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def file_loaded(self) -> bool: ...
    @property
    def warnings(self) -> List[str]: ...
    def config_json(self) -> str: ...
    def checks(self) -> List[Tuple[str, int]]: ...
    def banner(self, verbose: int) -> str: ...
    def blacklist(self) -> List[str]: ...
    def blacklist_entries(self) -> List[Tuple[str, int]]: ...
    def blacklist_add(self, ip: str, seconds: Optional[int] = None) -> None: ...
    def blacklist_remove(self, ip: str) -> bool: ...
    def reset_state(self) -> None: ...
    @property
    def shared_state(self) -> str: ...
    def log_stats(self) -> Optional[dict]: ...
    def metrics_text(self) -> str: ...
    def metrics_snapshot(self) -> dict: ...
    @property
    def metrics_path(self) -> Optional[str]: ...
    def metrics_scrape(
        self,
        method: str,
        path: str,
        headers: List[Tuple[str, str]] = ...,
        peer_ip: Optional[str] = None,
    ) -> Optional[str]: ...
    def metrics_scrape_wsgi(self, environ: dict) -> Optional[str]: ...
    def record_response_status(self, status: int) -> None: ...
    def set_config_version(self, version: int) -> None: ...
    def flush(self, timeout: float = 2.0) -> bool: ...
    @property
    def sinks_on(self) -> bool: ...
    def sink_levels(self) -> List[Tuple[str, int]]: ...
    def check_sql(
        self, ctx: SinkContext, query: str, dialect: str = "generic", caller: _Caller = None
    ) -> Verdict: ...
    def check_path(
        self, ctx: SinkContext, path: str, base: Optional[str] = None, caller: _Caller = None
    ) -> Verdict: ...
    def check_command(self, ctx: SinkContext, command: str, caller: _Caller = None) -> Verdict: ...
    def check_argv(
        self, ctx: SinkContext, args: Sequence[str], caller: _Caller = None
    ) -> Verdict: ...
    def check_url(
        self,
        ctx: SinkContext,
        target: str,
        resolved: Sequence[str] = (),
        caller: _Caller = None,
    ) -> Verdict: ...
    def check_nosql(self, ctx: SinkContext, filter_json: str, caller: _Caller = None) -> Verdict: ...

class CloudAgent:
    """The management agent (``ironward-cloud-client``) of one adapter, on a background
    thread. ``on_config(remote_json)`` runs on that thread with the GIL for each configuration
    the server sends and returns None (applied) or the list of errors (refused)."""

    def __init__(
        self,
        url: str,
        key: str,
        engine: Engine,
        on_config: Callable[[str], Optional[List[str]]],
        platform: str = "Python",
        version: str = "",
        routes: Optional[str] = None,
    ) -> None: ...
    def set_engine(self, engine: Engine) -> None: ...
    def status(self) -> Dict[str, Any]: ...
    def stop(self, wait: bool = True) -> None: ...
