#!/usr/bin/env python3
"""Webhook sink: records every Alertmanager notification it receives.

A test fixture for the molecule scenarios, Python 3 standard library only. Each POST to
a path under /hook/ must carry a JSON object (Alertmanager's webhook payload); it is
appended as one JSON line to the record file, so records survive a restart.

    POST   /hook/<anything>                   record the body: 200, or 400 if not a JSON object
    GET    /notifications[?since=<unix time>]  the records, oldest first, as a JSON list
    DELETE /notifications                     forget every record: 204
    GET    /healthz                           200 while serving

A record is {"received_at": <unix time>, "path": ..., "remote_addr": ..., "body": {...}}.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


class NotificationLog:
    """The record file, one JSON line per notification, shared by the handler threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def append(self, record: dict) -> None:
        with self._lock, self.path.open("a", encoding="utf-8") as record_file:
            record_file.write(json.dumps(record, sort_keys=True) + "\n")
            record_file.flush()

    def read(self, since: float | None = None) -> list[dict]:
        with self._lock:
            lines = self.path.read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines if line]
        return [r for r in records if since is None or r["received_at"] > since]

    def clear(self) -> None:
        with self._lock:
            self.path.write_text("", encoding="utf-8")


class SinkHandler(BaseHTTPRequestHandler):
    server: SinkServer

    def do_POST(self) -> None:
        if not self.path.startswith("/hook/"):
            return self.answer(HTTPStatus.NOT_FOUND, {"error": "POST only under /hook/"})
        raw_body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw_body)
        except ValueError as error:
            return self.answer(HTTPStatus.BAD_REQUEST, {"error": f"body is not JSON: {error}"})
        if not isinstance(body, dict):
            return self.answer(HTTPStatus.BAD_REQUEST, {"error": "body is not a JSON object"})
        record = {
            "received_at": time.time(),
            "path": self.path,
            "remote_addr": self.client_address[0],
            "body": body,
        }
        self.server.notification_log.append(record)
        return self.answer(HTTPStatus.OK, {"recorded": True})

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/healthz":
            return self.answer(HTTPStatus.OK, {"status": "ok"})
        if url.path != "/notifications":
            return self.answer(HTTPStatus.NOT_FOUND, {"error": f"no such path: {url.path}"})
        since_values = parse_qs(url.query).get("since")
        try:
            since = float(since_values[-1]) if since_values else None
        except ValueError:
            return self.answer(HTTPStatus.BAD_REQUEST, {"error": "since is not a number"})
        return self.answer(HTTPStatus.OK, self.server.notification_log.read(since))

    def do_DELETE(self) -> None:
        if urlsplit(self.path).path != "/notifications":
            return self.answer(HTTPStatus.NOT_FOUND, {"error": f"no such path: {self.path}"})
        self.server.notification_log.clear()
        return self.answer(HTTPStatus.NO_CONTENT, None)

    def answer(self, status: HTTPStatus, payload: object) -> None:
        content = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)


class SinkServer(ThreadingHTTPServer):
    def __init__(self, address: tuple[str, int], notification_log: NotificationLog) -> None:
        super().__init__(address, SinkHandler)
        self.notification_log = notification_log


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="0.0.0.0:9099", help="HOST:PORT (port 0: any)")
    parser.add_argument("--record", default="/var/lib/webhook-sink/notifications.jsonl")
    arguments = parser.parse_args()
    host, _, port = arguments.listen.rpartition(":")
    server = SinkServer((host, int(port)), NotificationLog(Path(arguments.record)))
    listen_host, listen_port = server.server_address[:2]
    print(f"webhook-sink listening on {listen_host}:{listen_port}", file=sys.stderr, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
