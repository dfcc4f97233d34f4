"""Fake Alertmanager v2 and Prometheus v1 APIs on real HTTP servers on 127.0.0.1.

A fake may listen on 127.0.0.2 instead, to stand for a second host; nothing here ever
binds or connects to any other address.

The fakes keep real state and answer the way Alertmanager 0.25.0 and Prometheus 2.42.0
did when they were probed (Debian 12 binaries):

- ``GET /api/v2/status`` lists every member in ``cluster.peers``, the member itself
  included, each with ``name`` and ``address``.
- ``POST /api/v2/silences`` answers ``{"silenceID": ...}``. A start in the past becomes
  the time of the request. With an ``id``, the silence is updated in place when the
  matchers stay the same and an active silence keeps its ``startsAt``; otherwise the old
  silence is expired and a new id is returned. An unknown ``id`` answers 404 with the JSON
  string ``"silence not found"``.
- ``GET /api/v2/silence/{id}`` answers 404 with an empty body for an unknown id, 422 for
  an id that is not a UUID.
- ``DELETE /api/v2/silence/{id}`` sets ``endsAt`` (and, for a pending silence,
  ``startsAt``) to now, so the state becomes ``expired``; it answers 200 for an expired
  silence too, and 500 with ``"silence not found"`` for an unknown id (0.28.1 answers
  404 there: set ``unknown_delete_status``).
- ``GET /api/v1/alertmanagers`` answers ``activeAlertmanagers`` and
  ``droppedAlertmanagers``, each a list of ``{"url": "http://host:port/api/v2/alerts"}``.

Members of a :class:`FakeMesh` gossip silences to each other: a member sees a silence
created or changed on another member only after ``replicate_after`` GET requests to it,
or never when ``replicate_after`` is None.
"""

from __future__ import annotations

import base64
import copy
import datetime
import ipaddress
import json
import re
import socket
import ssl
import threading
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

UTC = datetime.UTC
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_FILTER = re.compile(r'^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)\s*"((?:[^"\\]|\\.)*)"\s*$')
_UNESCAPE = re.compile(r"\\(.)")
_ESCAPES = {"n": "\n", '"': '"', "\\": "\\"}

Answer = tuple[int, dict[str, str], bytes]


def now() -> datetime.datetime:
    return datetime.datetime.now(UTC)


def timestamp(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def json_answer(status: int, document: Any) -> Answer:
    return status, {"Content-Type": "application/json"}, json.dumps(document).encode()


def empty_answer(status: int) -> Answer:
    return status, {}, b""


def filtered_answer(
    query: dict[str, list[str]],
    items: list[dict[str, Any]],
    labels_of: Callable[[dict[str, Any]], dict[str, str]],
) -> Answer:
    """The ``items`` whose labels match every ``filter`` matcher of the query, or 400."""
    matchers = []
    for text in query.get("filter", []):
        parsed = _FILTER.match(text)
        if parsed is None:
            return json_answer(400, f"bad matcher format: {text}")
        name, operator, escaped = parsed.groups()
        matchers.append((name, operator, _UNESCAPE.sub(_unescape, escaped)))
    listed = [
        item
        for item in items
        if all(
            _matches(labels_of(item).get(name, ""), operator, value)
            for name, operator, value in matchers
        )
    ]
    return json_answer(200, listed)


def _unescape(escape: re.Match[str]) -> str:
    return _ESCAPES.get(escape.group(1), escape.group(1))


def _matches(label_value: str, operator: str, value: str) -> bool:
    if operator in ("=~", "!~"):
        found = re.fullmatch(value, label_value) is not None
    else:
        found = label_value == value
    return found == (operator in ("=", "=~"))


class FakeApp:
    """Request log, basic auth, injected answers and a lock: what every fake shares."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        self.lock = threading.Lock()
        self.credentials = credentials
        self.requests: list[tuple[str, str]] = []
        self.injected: dict[tuple[str, str], Answer] = {}
        self.url = ""

    def inject(
        self, method: str, path: str, status: int, body: str, content_type: str = "text/plain"
    ) -> None:
        """Answer every ``method path`` request with this status and body from now on.

        A ``path`` ending in ``*`` matches every path that starts with what precedes it.
        """
        self.injected[(method, path)] = (status, {"Content-Type": content_type}, body.encode())

    def requests_to(self, method: str, path_prefix: str) -> list[str]:
        return [
            path for seen, path in self.requests if seen == method and path.startswith(path_prefix)
        ]

    def handle(self, method: str, target: str, headers: Any, body: bytes) -> Answer:
        with self.lock:
            self.requests.append((method, target))
            if not self._authorized(headers.get("Authorization")):
                return 401, {"WWW-Authenticate": "Basic"}, b"Unauthorized\n"
            parts = urlsplit(target)
            for (injected_method, path), answer in self.injected.items():
                if injected_method == method and (
                    path == parts.path or (path.endswith("*") and parts.path.startswith(path[:-1]))
                ):
                    return answer
            return self.route(method, parts.path, parse_qs(parts.query), body)

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        raise NotImplementedError

    def _authorized(self, authorization: str | None) -> bool:
        if self.credentials is None:
            return True
        expected = base64.b64encode(":".join(self.credentials).encode()).decode()
        return authorization == f"Basic {expected}"


class Redirect(FakeApp):
    """Answers every request with ``status`` and a ``Location`` on ``target_base_url``."""

    def __init__(self, status: int, target_base_url: str) -> None:
        super().__init__()
        self.status = status
        self.target_base_url = target_base_url

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        location = self.target_base_url + path
        return self.status, {"Location": location}, b"moved\n"


class FakeAlertmanager(FakeApp):
    """One Alertmanager member: cluster status, silences and alerts."""

    def __init__(
        self,
        name: str,
        cluster_address: str,
        version: str = "0.25.0",
        credentials: tuple[str, str] | None = None,
    ) -> None:
        super().__init__(credentials)
        self.name = name
        self.cluster_address = cluster_address
        self.version = version
        self.mesh: FakeMesh | None = None
        self.peers_override: list[dict[str, str]] | None = None
        self.settling_polls = 0
        self.replicate_after: int | None = 0
        self.silences: dict[str, dict[str, Any]] = {}
        self.inbox_lock = threading.Lock()
        self.inbox: list[dict[str, Any]] = []
        self.incoming: dict[str, list[Any]] = {}
        self.alerts: list[dict[str, Any]] = []
        self.alerts_after_polls = 0
        self.unknown_delete_status = 500

    # test set-up helpers

    def add_alert(self, labels: dict[str, str]) -> None:
        with self.lock:
            self.alerts.append(
                {
                    "labels": dict(labels),
                    "annotations": {},
                    "fingerprint": uuid.uuid4().hex[:16],
                    "receivers": [{"name": "blackhole"}],
                    "startsAt": timestamp(now()),
                    "endsAt": timestamp(now() + datetime.timedelta(minutes=4)),
                    "updatedAt": timestamp(now()),
                    "status": {"inhibitedBy": [], "silencedBy": [], "state": "active"},
                    "generatorURL": "http://prometheus:9090/graph",
                }
            )

    def add_silence(self, silence: dict[str, Any]) -> str:
        """Store a silence as if POSTed; return its id."""
        with self.lock:
            return self._create(copy.deepcopy(silence))

    def silence(self, silence_id: str) -> dict[str, Any] | None:
        """What this member holds now, without counting as a poll."""
        with self.lock:
            self._take_gossip()
            stored = self.silences.get(silence_id)
            return self._render(stored) if stored else None

    def live_silences(self) -> list[dict[str, Any]]:
        with self.lock:
            self._take_gossip()
            return [
                self._render(stored)
                for stored in self.silences.values()
                if self._state(stored) != "expired"
            ]

    # gossip

    def receive(self, stored: dict[str, Any]) -> None:
        """A silence changed on another member. The inbox has its own lock, which is never
        held while taking another, so members can gossip to each other freely."""
        with self.inbox_lock:
            self.inbox.append(copy.deepcopy(stored))

    def _take_gossip(self) -> None:
        """Move gossip from the inbox to the store, or to wait for ``replicate_after`` polls."""
        with self.inbox_lock:
            arrived, self.inbox = self.inbox, []
        for stored in arrived:
            if self.replicate_after == 0:
                self.silences[stored["id"]] = stored
            else:
                self.incoming[stored["id"]] = [stored, self.replicate_after]

    def _poll(self) -> None:
        """One GET: gossip that waited long enough becomes visible."""
        for silence_id, pending in list(self.incoming.items()):
            stored, polls_left = pending
            if polls_left is None:
                continue
            if polls_left == 0:
                self.silences[silence_id] = stored
                del self.incoming[silence_id]
            else:
                pending[1] = polls_left - 1

    def _gossip(self, stored: dict[str, Any]) -> None:
        if self.mesh is None:
            return
        for member in self.mesh.members:
            if member is not self:
                member.receive(stored)

    # HTTP

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        self._take_gossip()
        if method == "GET":
            self._poll()
        if (method, path) == ("GET", "/api/v2/status"):
            return json_answer(200, self._status())
        if (method, path) == ("GET", "/api/v2/silences"):
            return self._list_silences(query)
        if (method, path) == ("POST", "/api/v2/silences"):
            return self._post_silence(body)
        if path.startswith("/api/v2/silence/"):
            silence_id = path.rsplit("/", 1)[1]
            if not _UUID.match(silence_id):
                return json_answer(
                    422,
                    {
                        "code": 601,
                        "message": f'silenceID in path must be of type uuid: "{silence_id}"',
                    },
                )
            if method == "GET":
                stored = self.silences.get(silence_id)
                return json_answer(200, self._render(stored)) if stored else empty_answer(404)
            if method == "DELETE":
                return self._delete_silence(silence_id)
        if (method, path) == ("GET", "/api/v2/alerts"):
            return self._list_alerts(query)
        return 404, {"Content-Type": "text/plain"}, b"404 page not found\n"

    def _status(self) -> dict[str, Any]:
        if self.peers_override is not None:
            peers = self.peers_override
        elif self.mesh is not None:
            peers = [
                {"name": member.name, "address": member.cluster_address}
                for member in self.mesh.members
            ]
        else:
            peers = [{"name": self.name, "address": self.cluster_address}]
        status = "ready"
        if self.settling_polls > 0:
            self.settling_polls -= 1
            status = "settling"
        return {
            "cluster": {"name": self.name, "peers": peers, "status": status},
            "config": {"original": "route:\n  receiver: blackhole\n"},
            "uptime": timestamp(now()),
            "versionInfo": {
                "branch": "debian/sid",
                "buildDate": "20230409-09:50:43",
                "buildUser": "team+pkg-go@tracker.debian.org",
                "goVersion": "go1.19.8",
                "revision": f"{self.version}-1+b4",
                "version": self.version,
            },
        }

    def _list_silences(self, query: dict[str, list[str]]) -> Answer:
        """Like Alertmanager: a filter applies to the labels the silence's equality
        matchers set."""
        return filtered_answer(
            query,
            [self._render(stored) for stored in self.silences.values()],
            lambda silence: {
                matcher["name"]: matcher["value"]
                for matcher in silence["matchers"]
                if matcher["isEqual"] and not matcher["isRegex"]
            },
        )

    def _post_silence(self, body: bytes) -> Answer:
        try:
            silence = json.loads(body)
        except ValueError:
            return json_answer(400, {"code": 602, "message": "parsing silence body failed"})
        if not silence.get("matchers"):
            return json_answer(
                422, {"code": 612, "message": "matchers in body should have at least 1 items"}
            )
        for field in ("startsAt", "endsAt", "createdBy", "comment"):
            if field not in silence:
                return json_answer(422, {"code": 602, "message": f"{field} in body is required"})
        if parse_time(silence["endsAt"]) < parse_time(silence["startsAt"]):
            return json_answer(400, "Failed to create silence: start time must be before end time")
        if parse_time(silence["endsAt"]) < now():
            return json_answer(400, "Failed to create silence: end time can't be in the past")
        silence_id = silence.get("id")
        if silence_id:
            previous = self.silences.get(silence_id)
            if previous is None:
                return json_answer(404, "silence not found")
            if self._can_update(previous, silence):
                previous.update(
                    startsAt=silence["startsAt"],
                    endsAt=silence["endsAt"],
                    createdBy=silence["createdBy"],
                    comment=silence["comment"],
                    updatedAt=timestamp(now()),
                )
                self._gossip(previous)
                return json_answer(200, {"silenceID": silence_id})
            if self._state(previous) != "expired":
                self._expire(previous)
        return json_answer(200, {"silenceID": self._create(silence)})

    def _create(self, silence: dict[str, Any]) -> str:
        moment = now()
        stored = {
            "id": str(uuid.uuid4()),
            "matchers": [
                {
                    "isEqual": matcher.get("isEqual", True),
                    "isRegex": matcher.get("isRegex", False),
                    "name": matcher["name"],
                    "value": matcher["value"],
                }
                for matcher in silence["matchers"]
            ],
            "startsAt": silence["startsAt"],
            "endsAt": silence["endsAt"],
            "createdBy": silence["createdBy"],
            "comment": silence["comment"],
            "updatedAt": timestamp(moment),
        }
        if parse_time(stored["startsAt"]) < moment:
            stored["startsAt"] = timestamp(moment)
        self.silences[stored["id"]] = stored
        self._gossip(stored)
        return stored["id"]

    def _can_update(self, previous: dict[str, Any], silence: dict[str, Any]) -> bool:
        def matcher_set(matchers: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
            return {
                (m["name"], m["value"], m.get("isRegex", False), m.get("isEqual", True))
                for m in matchers
            }

        if matcher_set(previous["matchers"]) != matcher_set(silence["matchers"]):
            return False
        state = self._state(previous)
        if state == "active":
            return parse_time(silence["startsAt"]) == parse_time(previous["startsAt"])
        if state == "pending":
            return parse_time(silence["startsAt"]) >= now()
        return False

    def _delete_silence(self, silence_id: str) -> Answer:
        stored = self.silences.get(silence_id)
        if stored is None:
            return json_answer(self.unknown_delete_status, "silence not found")
        if self._state(stored) != "expired":
            self._expire(stored)
        return empty_answer(200)

    def _expire(self, stored: dict[str, Any]) -> None:
        moment = timestamp(now())
        if self._state(stored) == "pending":
            stored["startsAt"] = moment
        stored["endsAt"] = moment
        stored["updatedAt"] = moment
        self._gossip(stored)

    def _list_alerts(self, query: dict[str, list[str]]) -> Answer:
        if self.alerts_after_polls > 0:
            self.alerts_after_polls -= 1
            return json_answer(200, [])
        return filtered_answer(query, self.alerts, lambda alert: alert["labels"])

    @staticmethod
    def _state(stored: dict[str, Any]) -> str:
        moment = now()
        if moment < parse_time(stored["startsAt"]):
            return "pending"
        if moment >= parse_time(stored["endsAt"]):
            return "expired"
        return "active"

    def _render(self, stored: dict[str, Any]) -> dict[str, Any]:
        rendered = copy.deepcopy(stored)
        rendered["status"] = {"state": self._state(stored)}
        return rendered


class FakeMesh:
    """Alertmanagers that gossip silences to each other."""

    def __init__(self, members: list[FakeAlertmanager]) -> None:
        self.members = members
        for member in members:
            member.mesh = self

    @property
    def urls(self) -> list[str]:
        return [member.url for member in self.members]


# The ``type`` query parameter of ``GET /api/v1/rules`` (``alert``, ``record``) and the
# ``type`` of the rules it selects.
_RULE_TYPES = {"alert": "alerting", "record": "recording"}


class FakePrometheus(FakeApp):
    """One Prometheus: discovered Alertmanagers, configuration, rules and alerts."""

    def __init__(self, credentials: tuple[str, str] | None = None) -> None:
        super().__init__(credentials)
        self.active_alertmanagers: list[str] = []
        self.dropped_alertmanagers: list[str] = []
        self.discovery_after_polls = 0
        self.config_yaml = "global:\n  evaluation_interval: 15s\n"
        self.rule_groups: list[dict[str, Any]] = []
        self.firing: list[dict[str, Any]] = []

    def send_to(self, *alertmanager_urls: str) -> None:
        """List Alertmanagers as active, the way Prometheus reports them."""
        self.active_alertmanagers = [f"{url}/api/v2/alerts" for url in alertmanager_urls]

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Answer:
        if method != "GET":
            return 405, {"Content-Type": "text/plain"}, b"Method Not Allowed\n"
        if path == "/api/v1/alertmanagers":
            active, dropped = self.active_alertmanagers, self.dropped_alertmanagers
            if self.discovery_after_polls > 0:
                self.discovery_after_polls -= 1
                active, dropped = [], []
            return self._success(
                {
                    "activeAlertmanagers": [{"url": url} for url in active],
                    "droppedAlertmanagers": [{"url": url} for url in dropped],
                }
            )
        if path == "/api/v1/status/config":
            return self._success({"yaml": self.config_yaml})
        if path == "/api/v1/rules":
            wanted = query.get("type", [""])[0]
            wanted = _RULE_TYPES.get(wanted, wanted)
            groups = [
                dict(group, rules=[rule for rule in group["rules"] if rule["type"] == wanted])
                if wanted
                else group
                for group in self.rule_groups
            ]
            return self._success({"groups": groups})
        if path == "/api/v1/alerts":
            return self._success({"alerts": self.firing})
        return 404, {"Content-Type": "text/plain"}, b"404 page not found\n"

    @staticmethod
    def _success(data: Any) -> Answer:
        return json_answer(200, {"status": "success", "data": data})


class _Handler(BaseHTTPRequestHandler):
    app: FakeApp

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = self.app.handle(self.command, self.path, self.headers, body)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_DELETE = do_PUT = _answer  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


LOOPBACK_HOSTS = ("127.0.0.1", "127.0.0.2")


class FakeServer:
    """A ThreadingHTTPServer on 127.0.0.1 (or 127.0.0.2) and a free port, serving one fake."""

    def __init__(
        self, app: FakeApp, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"
    ) -> None:
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f"fakes listen on {' or '.join(LOOPBACK_HOSTS)} only, not {host}")
        handler = type("Handler", (_Handler,), {"app": app})
        self.httpd = ThreadingHTTPServer((host, 0), handler)
        self.httpd.daemon_threads = True
        scheme = "http"
        if tls is not None:
            self.httpd.socket = tls.wrap_socket(self.httpd.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://{host}:{self.httpd.server_address[1]}"
        app.url = self.url
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


class SilentServer:
    """Accepts connections on 127.0.0.1 and never answers: for HTTP timeouts."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def close(self) -> None:
        self.socket.close()


class ScriptedServer:
    """Answers every connection on 127.0.0.1 with the same bytes, written piece by piece.

    For hostile or slow servers: ``pieces`` are sent one after the other with ``pause``
    seconds between them, whatever the request was. ``sent`` counts the bytes written
    (over all connections) and ``complete`` the connections that got every piece; a
    connection ends early when the client goes away or the server is closed. At most
    ``connections`` connections are served, so every loop here is bounded.
    """

    def __init__(self, pieces: list[bytes], pause: float = 0.0, connections: int = 1) -> None:
        self.pieces = pieces
        self.pause = pause
        self.sent = 0
        self.complete = 0
        self.lock = threading.Lock()
        self.closing = threading.Event()
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(8)
        self.socket.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.threads = [threading.Thread(target=self._accept, args=(connections,), daemon=True)]
        self.threads[0].start()

    @property
    def total(self) -> int:
        """How many bytes one complete answer has."""
        return sum(len(piece) for piece in self.pieces)

    def _accept(self, connections: int) -> None:
        served = 0
        while served < connections and not self.closing.is_set():
            try:
                connection, _address = self.socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            served += 1
            thread = threading.Thread(target=self._answer, args=(connection,), daemon=True)
            self.threads.append(thread)
            thread.start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            try:
                self._read_request_head(connection)
                for piece in self.pieces:
                    if self.closing.wait(self.pause) if self.pause else self.closing.is_set():
                        return
                    connection.sendall(piece)
                    with self.lock:
                        self.sent += len(piece)
            except OSError:
                return
            with self.lock:
                self.complete += 1

    @staticmethod
    def _read_request_head(connection: socket.socket) -> None:
        received = b""
        while b"\r\n\r\n" not in received and len(received) < 65536:
            data = connection.recv(4096)
            if not data:
                return
            received += data

    def close(self) -> None:
        self.closing.set()
        self.socket.close()
        for thread in self.threads:
            thread.join(10)


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens: for refused connections."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class FakeApis:
    """Starts fakes on demand and stops all their servers at the end of a test."""

    def __init__(self) -> None:
        self._closers: list[Any] = []
        self._names = 0

    def __enter__(self) -> FakeApis:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for close in reversed(self._closers):
            close()

    def serve(
        self, app: FakeApp, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"
    ) -> str:
        server = FakeServer(app, tls, host)
        self._closers.append(server.close)
        return server.url

    def alertmanager(self, host: str = "127.0.0.1", **kwargs: Any) -> FakeAlertmanager:
        self._names += 1
        member = FakeAlertmanager(
            name=f"01FAKEMEMBER{self._names:014d}",
            cluster_address=f"127.0.0.{self._names}:9094",
            **kwargs,
        )
        self.serve(member, host=host)
        return member

    def mesh(self, size: int = 2, replicate_after: int | None = 0, **kwargs: Any) -> FakeMesh:
        members = [self.alertmanager(**kwargs) for _ in range(size)]
        for member in members:
            member.replicate_after = replicate_after
        return FakeMesh(members)

    def prometheus(self, **kwargs: Any) -> FakePrometheus:
        prometheus = FakePrometheus(**kwargs)
        self.serve(prometheus)
        return prometheus

    def silent_server(self) -> str:
        server = SilentServer()
        self._closers.append(server.close)
        return server.url

    def scripted_server(
        self, pieces: list[bytes], pause: float = 0.0, connections: int = 1
    ) -> ScriptedServer:
        server = ScriptedServer(pieces, pause, connections)
        self._closers.append(server.close)
        return server


class TlsFiles:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, as PEM files.

    The certificates carry what RFC 5280 asks for and what Python 3.13's strict X.509
    verification (``VERIFY_X509_STRICT``) checks: subject and authority key identifiers,
    basic constraints and key usage, plus the extended key usage of each end entity.
    """

    CA_NAME = "alertmesh test CA"

    def __init__(self, directory: Path) -> None:
        from cryptography import x509
        from cryptography.x509.oid import ExtendedKeyUsageOID

        ca_key, ca_cert = self._issue(self.CA_NAME, issuer=None)
        server_key, server_cert = self._issue(
            "127.0.0.1",
            issuer=(ca_key, ca_cert),
            usage=ExtendedKeyUsageOID.SERVER_AUTH,
            alt_names=[x509.IPAddress(ipaddress.ip_address("127.0.0.1"))],
        )
        client_key, client_cert = self._issue(
            "ansible", issuer=(ca_key, ca_cert), usage=ExtendedKeyUsageOID.CLIENT_AUTH
        )
        self.ca = self._write_pem(directory / "ca.pem", ca_cert)
        self.server_cert = self._write_pem(directory / "server.pem", server_cert)
        self.server_key = self._write_pem(directory / "server-key.pem", server_key)
        self.client_cert = self._write_pem(directory / "client.pem", client_cert)
        self.client_key = self._write_pem(directory / "client-key.pem", client_key)

    @classmethod
    def _issue(
        cls,
        subject: str,
        issuer: tuple[Any, Any] | None,
        usage: Any = None,
        alt_names: list[Any] | None = None,
    ) -> tuple[Any, Any]:
        """A new key and its certificate for ``subject``, signed by ``issuer`` (the CA's
        key and certificate); a self-signed CA certificate when that is None."""
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID

        key = ec.generate_private_key(ec.SECP256R1())
        is_ca = issuer is None
        signing_key = key if issuer is None else issuer[0]
        issuer_public_key = key.public_key() if issuer is None else issuer[1].public_key()
        start = now() - datetime.timedelta(minutes=5)
        builder = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cls.CA_NAME)]))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + datetime.timedelta(days=1))
            .add_extension(
                x509.BasicConstraints(ca=is_ca, path_length=0 if is_ca else None), critical=True
            )
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=False,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=is_ca,
                    crl_sign=is_ca,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(
                x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False
            )
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_public_key),
                critical=False,
            )
        )
        if usage is not None:
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        if alt_names:
            builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
        return key, builder.sign(signing_key, hashes.SHA256())

    @staticmethod
    def _write_pem(path: Path, key_or_cert: Any) -> Path:
        from cryptography.hazmat.primitives import serialization

        if hasattr(key_or_cert, "private_bytes"):
            pem = key_or_cert.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        else:
            pem = key_or_cert.public_bytes(serialization.Encoding.PEM)
        path.write_bytes(pem)
        return path

    def server_context(self, require_client_cert: bool = False) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.server_cert, self.server_key)
        if require_client_cert:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(self.ca)
        return context
