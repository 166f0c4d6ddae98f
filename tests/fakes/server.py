"""A local HTTP server for fakes of SaaS APIs, with scripted faults (429, 500) and a request log."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

# handler(method, path, query, body) -> (status, json body)
Route = Callable[[str, str, dict, dict | None], tuple[int, dict]]


class FakeApi:
    def __init__(self, route: Route) -> None:
        self.route = route
        self.log: list[tuple[str, str, dict, dict | None]] = []
        self.faults: list[tuple[int, dict]] = []  # answered, in order, before real answers
        self.fail_from: int | None = None  # from this request number on, answer 500
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self, method: str) -> None:
                parsed = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(parsed.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                fake.log.append((method, parsed.path, query, body))
                if fake.faults:
                    status, headers = fake.faults.pop(0)
                    payload: dict = {"status": "error", "message": "scripted fault"}
                elif fake.fail_from is not None and len(fake.log) >= fake.fail_from:
                    status, headers, payload = 500, {}, {"message": "down"}
                else:
                    headers = {}
                    status, payload = fake.route(method, parsed.path, query, body)
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:  # noqa: N802
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
