"""Private HTTP client for the Alertmanager v2 and Prometheus v1 APIs.

Requests go through ``ansible.module_utils.urls`` (``Request``, the class behind
``open_url``), so a managed host needs no third-party library. The TLS context is built
once per set of TLS options and reused: building one loads the system CA store, which
takes tens of milliseconds, too slow to repeat for every poll.

Every failure raises :class:`ApiError`, which carries the method, the URL, the HTTP
status (when there was an answer) and an excerpt of the body, so that a module can say
which URL answered what. That includes answers of the wrong shape: the client methods
check every field the modules read (a silence's ``id`` is a string, ``endsAt`` a
timestamp, ...), so a module never meets a value of a type it does not expect.

A base URL may carry credentials (``http://user:password@host:9093``): they become the
basic-auth credentials unless ``url_username`` is given, and the URL is kept, shown and
reported without them (:func:`redact_url`).

Neither API redirects, so a redirect is an error and is never followed: following it
would send the credentials (basic auth is sent with the first request) to whatever host
the answer names, and credit that host's answer to the URL asked.

A request has ``http_timeout`` seconds in all (connecting, sending, reading every byte of
the answer), and an answer may be at most :data:`MAX_ANSWER_BYTES` long. A socket timeout
alone bounds each read, not their sum, so a server trickling its answer could otherwise
hold a module for as long as it likes, or fill the managed host's memory.

This file runs on managed hosts: keep it compatible with every Python version that
ansible-core supports there (3.8 and later).
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import quote, unquote, urlencode, urljoin, urlsplit

from ansible.module_utils.urls import ConnectionError as UrlsConnectionError
from ansible.module_utils.urls import Request, make_context

__all__ = [
    "API_ARGUMENT_SPEC",
    "UTC",
    "AlertmanagerClient",
    "ApiClient",
    "ApiError",
    "PrometheusClient",
    "client_options",
    "endpoint_key",
    "format_timestamp",
    "label_filter",
    "parse_timestamp",
    "redact_url",
    "silence_state",
    "url_passwords",
    "utc_now",
]

API_ARGUMENT_SPEC: dict[str, dict[str, Any]] = {
    "validate_certs": {"type": "bool", "default": True},
    "ca_path": {"type": "path"},
    "client_cert": {"type": "path"},
    "client_key": {"type": "path"},
    "url_username": {"type": "str"},
    "url_password": {"type": "str", "no_log": True},
    "http_timeout": {"type": "float", "default": 10.0},
}
"""Options every module of this collection accepts; documented in ``alertmesh.ha.api``."""

BODY_EXCERPT_CHARS = 300
MAX_ANSWER_BYTES = 16 * 1024 * 1024
"""The most bytes one answer may have. Generous for this collection's requests (filtered
alert and silence lists, rule groups, configurations), small enough for any managed host."""
ERROR_BODY_BYTES = 64 * 1024
"""How much of an HTTP error's body is read: enough for the excerpt in the message."""
_READ_CHUNK = 64 * 1024
USER_AGENT = "alertmesh.ha"

_TIMESTAMP = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:?\d{2})$"
)
_DEFAULT_PORTS = {"http": 80, "https": 443}
# The user information of a URL: what precedes the last "@" before the path, with or
# without a scheme. A regular expression rather than urlsplit, which raises on some of
# the malformed URLs whose password must not show in the error about them.
_USERINFO = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)?(?P<userinfo>[^/?#]*)@")

# datetime.UTC exists only from Python 3.11 on; managed hosts may run 3.8.
UTC = timezone.utc  # noqa: UP017

_tls_contexts: dict[tuple[Any, ...], ssl.SSLContext] = {}


class ApiError(Exception):
    """A request failed: no answer, an HTTP error status, or a body that is not JSON."""

    def __init__(
        self,
        method: str,
        url: str,
        status: int | None = None,
        body: str = "",
        reason: str = "",
    ) -> None:
        self.method = method
        self.url = url
        self.status = status
        self.body = body
        self.reason = reason
        super().__init__(self.describe())

    def describe(self) -> str:
        """One line: what was asked, of which URL, and what came back."""
        if self.status is None:
            return f"{self.method} {self.url} failed: {self.reason}"
        answer = f"{self.method} {self.url} answered HTTP {self.status}"
        if self.reason:
            answer = f"{answer} ({self.reason})"
        excerpt = _excerpt(self.body)
        return f"{answer}: {excerpt}" if excerpt else answer


class Shape:
    """What an answer must look like: a description for messages, and a check of it."""

    def __init__(self, description: str, check: Callable[[Any], bool]) -> None:
        self.description = description
        self.check = check


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _is_timestamp(value: Any) -> bool:
    try:
        parse_timestamp(value)
    except ValueError:
        return False
    return True


def _optional(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: value is None or check(value)


def _list_of(check: Callable[[Any], bool]) -> Callable[[Any], bool]:
    return lambda value: isinstance(value, list) and all(check(item) for item in value)


def _object_with(**fields: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """An object whose ``fields`` pass their checks (a missing field is None)."""
    return lambda value: (
        isinstance(value, dict) and all(check(value.get(name)) for name, check in fields.items())
    )


def _is_label_set(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(name, str) and isinstance(text, str) for name, text in value.items()
    )


_is_silence = _object_with(
    id=_is_id,
    matchers=_list_of(_object_with(name=_is_text, value=_is_text)),
    startsAt=_is_timestamp,
    endsAt=_is_timestamp,
    createdBy=_optional(_is_text),
    comment=_optional(_is_text),
    status=_optional(_object_with(state=_optional(_is_text))),
)
SILENCE_SHAPE = "a silence (an object with a string id, matchers, startsAt and endsAt)"
STATUS = Shape(
    "an object with cluster (status, name, peers with name and address) and versionInfo",
    _object_with(
        cluster=_optional(
            _object_with(
                status=_optional(_is_text),
                name=_optional(_is_text),
                peers=_optional(_list_of(_object_with(name=_is_text, address=_is_text))),
            )
        ),
        versionInfo=_optional(_object_with(version=_optional(_is_text))),
    ),
)
SILENCE = Shape(SILENCE_SHAPE, _is_silence)
SILENCES = Shape(f"a list of which every item is {SILENCE_SHAPE}", _optional(_list_of(_is_silence)))
SILENCE_ID = Shape("an object with a string silenceID", _object_with(silenceID=_is_id))
ALERTS = Shape(
    "a list of alerts, each an object with labels of string values",
    _optional(_list_of(_object_with(labels=_optional(_is_label_set)))),
)
_is_alertmanager_list = _optional(_list_of(_object_with(url=_is_text)))
DISCOVERED_ALERTMANAGERS = Shape(
    "an object with activeAlertmanagers and droppedAlertmanagers, lists of objects with a"
    " string url",
    _optional(
        _object_with(
            activeAlertmanagers=_is_alertmanager_list,
            droppedAlertmanagers=_is_alertmanager_list,
        )
    ),
)
CONFIG = Shape("an object with the yaml text", _optional(_object_with(yaml=_optional(_is_text))))
_is_rule_alert = _object_with(
    labels=_optional(_is_label_set),
    annotations=_optional(_is_label_set),
    state=_is_text,
    activeAt=_optional(_is_text),
)
RULE_GROUPS = Shape(
    "an object with a list of groups, each with a string name and rules whose alerts have"
    " a string state and labels and annotations of string values",
    _optional(
        _object_with(
            groups=_optional(
                _list_of(
                    _object_with(
                        name=_is_text,
                        rules=_optional(
                            _list_of(
                                _object_with(
                                    name=_optional(_is_text),
                                    alerts=_optional(_list_of(_is_rule_alert)),
                                )
                            )
                        ),
                    )
                )
            )
        )
    ),
)
PROMETHEUS_ALERTS = Shape(
    "an object with a list of alerts",
    _optional(_object_with(alerts=_optional(_list_of(_object_with())))),
)


class ApiClient:
    """JSON over HTTP(S) to one base URL, with the TLS and auth options of the collection."""

    def __init__(
        self,
        base_url: str,
        validate_certs: bool = True,
        ca_path: str | None = None,
        client_cert: str | None = None,
        client_key: str | None = None,
        url_username: str | None = None,
        url_password: str | None = None,
        http_timeout: float = 10.0,
    ) -> None:
        userinfo = _USERINFO.match(base_url)
        if userinfo and url_username is None:
            username, _colon, password = userinfo.group("userinfo").partition(":")
            url_username, url_password = unquote(username), unquote(password)
        self.base_url = redact_url(base_url).rstrip("/")
        self.validate_certs = validate_certs
        self.ca_path = ca_path
        self.client_cert = client_cert
        self.client_key = client_key
        self.url_username = url_username
        self.url_password = url_password
        self.http_timeout = http_timeout
        self._session = Request(
            timeout=http_timeout,
            validate_certs=validate_certs,
            url_username=url_username,
            url_password=url_password,
            force_basic_auth=url_username is not None,
            follow_redirects="none",
            http_agent=USER_AGENT,
            client_cert=client_cert,
            client_key=client_key,
            ca_path=ca_path,
        )

    def tls_context(self) -> ssl.SSLContext:
        """The TLS context for these options, built on first use and then shared."""
        options = (self.ca_path, self.validate_certs, self.client_cert, self.client_key)
        if options not in _tls_contexts:
            _tls_contexts[options] = make_context(
                cafile=self.ca_path,
                validate_certs=self.validate_certs,
                client_cert=self.client_cert,
                client_key=self.client_key,
            )
        return _tls_contexts[options]

    def url_for(self, path: str, query: dict[str, Any] | None = None) -> str:
        """Return the absolute URL of ``path`` (which starts with ``/``) plus ``query``."""
        url = f"{self.base_url}{path}"
        if query:
            url = f"{url}?{urlencode(query, doseq=True)}"
        return url

    def request(
        self,
        method: str,
        path: str,
        query: dict[str, Any] | None = None,
        body: Any = None,
        shape: Shape | None = None,
    ) -> Any:
        """Send one request; return the decoded JSON answer, or None for an empty body.

        With ``shape``, an answer (None included) that does not pass its check raises.
        """
        url = self.url_for(path, query)
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        status, raw = self._exchange(method, url, payload, headers)
        text = raw.decode("utf-8", errors="replace")
        answer = None
        if text.strip():
            try:
                answer = json.loads(text)
            except ValueError as err:
                raise ApiError(method, url, status, text, "the body is not JSON") from err
            except RecursionError as err:
                raise ApiError(
                    method, url, status, text, "the body is JSON nested too deeply to read"
                ) from err
        if shape is not None and not shape.check(answer):
            raise ApiError(method, url, status, text, f"expected {shape.description}")
        return answer

    def _exchange(
        self, method: str, url: str, payload: str | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        """Send one request and read its answer within ``http_timeout`` in all.

        The exchange runs in a daemon thread, which this one waits for until the deadline.
        Once the deadline has passed, the thread is left behind: it stops reading at its
        next chunk, or ends when the server gives up; it is never waited for again.
        """
        context = self.tls_context()
        deadline = time.monotonic() + self.http_timeout
        outcome: list[Any] = []
        worker = threading.Thread(
            target=self._exchange_into,
            args=(outcome, method, url, payload, headers, context, deadline),
            name=f"{USER_AGENT} {method} {url}",
            daemon=True,
        )
        worker.start()
        worker.join(self.http_timeout)
        if not outcome:
            raise ApiError(
                method,
                url,
                reason=f"timed out: no complete answer within {self.http_timeout:g} s"
                " (http_timeout)",
            )
        if isinstance(outcome[0], Exception):
            raise outcome[0]
        return outcome[0]

    def _exchange_into(
        self,
        outcome: list[Any],
        method: str,
        url: str,
        payload: str | None,
        headers: dict[str, str],
        context: ssl.SSLContext,
        deadline: float,
    ) -> None:
        """The worker thread: append ``(status, body)`` or the exception to ``outcome``."""
        try:
            outcome.append(self._send(method, url, payload, headers, context, deadline))
        except Exception as err:  # handed to the waiting thread, which raises it
            outcome.append(err)

    def _send(
        self,
        method: str,
        url: str,
        payload: str | None,
        headers: dict[str, str],
        context: ssl.SSLContext,
        deadline: float,
    ) -> tuple[int, bytes]:
        try:
            response = self._session.open(
                method, url, data=payload, headers=headers, context=context
            )
            try:
                return response.status, _read_answer(response, method, url, deadline)
            finally:
                response.close()
        except HTTPError as err:
            reason = str(err.reason)
            if 300 <= err.code < 400:
                reason = _redirect_reason(url, err)
            raise ApiError(method, url, err.code, _read_error_body(err), reason) from err
        except (URLError, UrlsConnectionError, http.client.HTTPException, OSError) as err:
            reason = getattr(err, "reason", None) or err
            raise ApiError(method, url, reason=str(reason)) from err


class AlertmanagerClient(ApiClient):
    """The parts of the Alertmanager v2 API this collection uses."""

    def status(self) -> dict[str, Any]:
        """``GET /api/v2/status``: cluster name, status and peers, version info, config."""
        return self.request("GET", "/api/v2/status", shape=STATUS)

    def list_silences(self, filters: list[str] | None = None) -> list[dict[str, Any]]:
        """``GET /api/v2/silences``: every silence this member knows, expired ones included."""
        query = {"filter": filters} if filters else None
        return self.request("GET", "/api/v2/silences", query, shape=SILENCES) or []

    def get_silence(self, silence_id: str) -> dict[str, Any] | None:
        """``GET /api/v2/silence/{id}``; None when this member does not know the id (404)."""
        try:
            return self.request(
                "GET", f"/api/v2/silence/{quote(silence_id, safe='')}", shape=SILENCE
            )
        except ApiError as err:
            if err.status == 404:
                return None
            raise

    def post_silence(self, silence: dict[str, Any]) -> str:
        """``POST /api/v2/silences``; return the id Alertmanager gave the silence.

        With an ``id`` in ``silence``, Alertmanager updates that silence in place when it
        can (same matchers; an active silence keeps its ``startsAt``); otherwise it expires
        the old one and answers with the id of a new one.
        """
        answer = self.request("POST", "/api/v2/silences", body=silence, shape=SILENCE_ID)
        return answer["silenceID"]

    def delete_silence(self, silence_id: str) -> None:
        """``DELETE /api/v2/silence/{id}``: expire the silence (state becomes ``expired``)."""
        self.request("DELETE", f"/api/v2/silence/{quote(silence_id, safe='')}")

    def expire_silence(self, silence_id: str) -> bool:
        """Expire a silence; return False when it was already gone or expired.

        A DELETE of an id Alertmanager does not know answers 404 from 0.28 on, but 500
        ("silence not found") in 0.25. The 500 is accepted only when a GET confirms the
        silence is unknown or expired; any other error is raised.
        """
        try:
            self.delete_silence(silence_id)
        except ApiError as err:
            if err.status == 404:
                return False
            if err.status != 500:
                raise
            silence = self.get_silence(silence_id)
            if silence is None or silence_state(silence) == "expired":
                return False
            raise
        return True

    def list_alerts(self, filters: list[str] | None = None) -> list[dict[str, Any]]:
        """``GET /api/v2/alerts`` with every kind included: active, silenced, inhibited and
        unprocessed alerts, so the length of the answer is the raw count."""
        query: dict[str, Any] = {
            "active": "true",
            "silenced": "true",
            "inhibited": "true",
            "unprocessed": "true",
        }
        if filters:
            query["filter"] = filters
        return self.request("GET", "/api/v2/alerts", query, shape=ALERTS) or []


class PrometheusClient(ApiClient):
    """The parts of the Prometheus v1 API this collection uses."""

    def request_data(self, path: str, query: dict[str, Any] | None, data: Shape) -> Any:
        """GET ``path`` and return the ``data`` of a ``{"status": "success"}`` envelope;
        ``data`` is the shape the data must have."""
        envelope = Shape(
            f'{{"status": "success", "data": ...}}, the data being {data.description}',
            _object_with(status="success".__eq__, data=data.check),
        )
        return self.request("GET", path, query, shape=envelope).get("data")

    def alertmanagers(self) -> dict[str, list[dict[str, Any]]]:
        """``GET /api/v1/alertmanagers``: ``activeAlertmanagers`` and ``droppedAlertmanagers``."""
        data = self.request_data("/api/v1/alertmanagers", None, DISCOVERED_ALERTMANAGERS) or {}
        return {
            "activeAlertmanagers": data.get("activeAlertmanagers") or [],
            "droppedAlertmanagers": data.get("droppedAlertmanagers") or [],
        }

    def config(self) -> str:
        """``GET /api/v1/status/config``: the loaded configuration as YAML text."""
        data = self.request_data("/api/v1/status/config", None, CONFIG) or {}
        return data.get("yaml") or ""

    def rules(self, rule_type: str | None = None) -> list[dict[str, Any]]:
        """``GET /api/v1/rules``: the rule groups (``rule_type`` ``alert`` or ``record``)."""
        query = {"type": rule_type} if rule_type else None
        data = self.request_data("/api/v1/rules", query, RULE_GROUPS) or {}
        return data.get("groups") or []

    def alerts(self) -> list[dict[str, Any]]:
        """``GET /api/v1/alerts``: the alerts this Prometheus has pending or firing."""
        data = self.request_data("/api/v1/alerts", None, PROMETHEUS_ALERTS) or {}
        return data.get("alerts") or []


def client_options(params: dict[str, Any]) -> dict[str, Any]:
    """Pick the :data:`API_ARGUMENT_SPEC` options out of a module's ``params``."""
    return {name: params.get(name) for name in API_ARGUMENT_SPEC}


def redact_url(url: str) -> str:
    """``url`` without its user information (``user:password@``): for messages and keys."""
    return _USERINFO.sub(lambda userinfo: userinfo.group("scheme") or "", url, count=1)


def url_passwords(urls: list[str]) -> list[str]:
    """The passwords in the user information of ``urls``, as written and decoded.

    A module adds them to its ``no_log_values``, so that Ansible masks them wherever they
    show, the ``invocation`` it returns included.
    """
    passwords = []
    for url in urls:
        userinfo = _USERINFO.match(url)
        password = userinfo.group("userinfo").partition(":")[2] if userinfo else ""
        for form in (password, unquote(password)):
            if form and form not in passwords:
                passwords.append(form)
    return passwords


def silence_state(silence: dict[str, Any]) -> str:
    """The ``status.state`` of a silence: ``active``, ``pending`` or ``expired``."""
    return (silence.get("status") or {}).get("state", "")


def label_filter(name: str, value: str, operator: str = "=") -> str:
    """One Alertmanager ``filter`` matcher, ``name="value"``, with the value escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'{name}{operator}"{escaped}"'


def endpoint_key(url: str) -> tuple[str, str, int]:
    """``(scheme, host, port)`` of a URL, for comparing endpoints whatever their path.

    The host is lower-cased and a missing port becomes the scheme's default; no name is
    resolved, so ``http://am-1:9093`` and ``http://10.0.0.5:9093`` stay different.
    """
    shown = redact_url(url)
    try:
        parts = urlsplit(url.strip())
    except ValueError as err:
        raise ValueError(f"{shown!r} is not a valid URL: {err}") from err
    try:
        port = parts.port
    except ValueError as err:
        raise ValueError(f"{shown!r} has an invalid port") from err
    scheme = parts.scheme.lower()
    if not scheme or not parts.hostname:
        raise ValueError(f"{shown!r} is not an absolute URL such as http://10.0.0.5:9093")
    return scheme, parts.hostname.lower(), port or _DEFAULT_PORTS.get(scheme, 0)


def utc_now() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def parse_timestamp(text: str) -> datetime:
    """Parse an RFC 3339 timestamp (``2024-05-01T22:00:00Z``, ``...+02:00``) to aware UTC.

    Any number of fractional digits is accepted (Go writes up to nine); a time zone is
    required, because a bare local time would be read differently on each host.
    """
    match = _TIMESTAMP.match(text.strip()) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"{text!r} is not an RFC 3339 timestamp with a time zone,"
            " such as 2024-05-01T22:00:00Z or 2024-05-01T22:00:00+02:00"
        )
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    microsecond = int((fraction or "0")[:6].ljust(6, "0"))
    if zone in ("Z", "z"):
        offset = timedelta(0)
    else:
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    try:
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour),
            int(minute),
            int(second),
            microsecond,
            tzinfo=timezone(offset),
        )
    except ValueError as err:
        raise ValueError(f"{text!r} is not a valid date and time: {err}") from err
    return moment.astimezone(UTC)


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime the way Alertmanager does: UTC, milliseconds, ``Z``."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _redirect_reason(url: str, err: HTTPError) -> str:
    location = err.headers.get("Location") if err.headers is not None else None
    target = redact_url(urljoin(url, location)) if location else "nowhere (no Location header)"
    return (
        f"redirect to {target}, not followed: the Alertmanager and Prometheus APIs do not"
        " redirect, so give the URL that answers itself"
    )


def _size(byte_count: int) -> str:
    for unit, size in (("MiB", 1024 * 1024), ("KiB", 1024)):
        if byte_count >= size and byte_count % size == 0:
            return f"{byte_count // size} {unit}"
    return f"{byte_count} bytes"


def _read_answer(response: Any, method: str, url: str, deadline: float) -> bytes:
    """The body of ``response``, read chunk by chunk until the end, the cap or the deadline."""
    limit = MAX_ANSWER_BYTES
    announced = response.headers.get("Content-Length")
    if announced and announced.strip().isdigit() and int(announced) > limit:
        raise ApiError(
            method,
            url,
            response.status,
            reason=f"the answer announces {int(announced)} bytes, more than the"
            f" {_size(limit)} this client reads",
        )
    # read1 returns what one read of the socket gives, so the deadline is checked often.
    read_chunk = getattr(response, "read1", response.read)
    chunks = []
    size = 0
    while time.monotonic() < deadline:
        chunk = read_chunk(_READ_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            raise ApiError(
                method,
                url,
                response.status,
                reason=f"the answer is longer than the {_size(limit)} this client reads",
            )
        chunks.append(chunk)
    raise ApiError(method, url, reason="timed out while reading the answer")


def _read_error_body(err: HTTPError) -> str:
    try:
        raw = err.read(ERROR_BODY_BYTES)
    except (OSError, http.client.HTTPException):
        return ""
    if not raw:
        return ""
    return raw.decode("utf-8", errors="replace")


def _excerpt(body: str) -> str:
    flat = " ".join(body.split())
    if len(flat) <= BODY_EXCERPT_CHARS:
        return flat
    return flat[:BODY_EXCERPT_CHARS] + "..."
