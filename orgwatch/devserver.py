"""Local servers for the demo and the tests: static sample sites and an alert receiver, on 127.0.0.1 only."""
from __future__ import annotations

import email.policy
import functools
import json
import threading
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import yaml


class _SiteHandler(SimpleHTTPRequestHandler):
    """Serves one site folder; ``_headers.yaml`` in it overrides headers per path."""

    headers_by_path: dict[str, dict[str, str]] = {}

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - signature from the base class
        pass

    def send_header(self, keyword: str, value: str) -> None:
        override = self.headers_by_path.get(self.path.split("?", 1)[0], {})
        for name, replacement in override.items():
            if name.lower() == keyword.lower():
                value = replacement
        super().send_header(keyword, value)


def _start(handler) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, name=f"devserver-{server.server_port}", daemon=True).start()
    return server


class SiteServer:
    """Each subfolder of ``root`` served as its own site on its own 127.0.0.1 port."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.servers: dict[str, ThreadingHTTPServer] = {}

    def start(self) -> dict[str, str]:
        """Start every site; return site id -> base URL (no trailing slash)."""
        for site in sorted(p for p in self.root.iterdir() if p.is_dir()):
            headers_file = site / "_headers.yaml"
            headers = yaml.safe_load(headers_file.read_text(encoding="utf-8")) if headers_file.exists() else {}
            handler = type(f"Site_{site.name}", (_SiteHandler,), {"headers_by_path": headers or {}})
            self.servers[site.name] = _start(functools.partial(handler, directory=str(site)))
        return self.urls

    @property
    def urls(self) -> dict[str, str]:
        return {name: f"http://127.0.0.1:{srv.server_port}" for name, srv in self.servers.items()}

    def stop(self) -> None:
        for srv in self.servers.values():
            srv.shutdown()
            srv.server_close()
        self.servers.clear()


class AlertReceiver:
    """A local stand-in for a chat webhook: records what Apprise's ``json://`` and ``form://`` post
    (and the ``X-Orgwatch-Message-Id`` header as ``message_id``).

    Each message is appended to ``outbox.jsonl`` and, readable, to ``outbox.md`` in ``folder``.
    Set ``fail_with`` to an HTTP status to play a notifier that is down, and ``fail_times`` to
    fail only that many requests before recovering (``failures`` counts the refused ones).
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.received: list[dict] = []
        self.fail_with: int | None = None
        self.fail_times: int | None = None
        self.failures = 0
        self._lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    def _should_fail(self) -> bool:
        with self._lock:
            if not self.fail_with or (self.fail_times is not None and self.failures >= self.fail_times):
                return False
            self.failures += 1
            return True

    def start(self) -> "AlertReceiver":
        self.folder.mkdir(parents=True, exist_ok=True)
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args) -> None:  # noqa: A002
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if receiver._should_fail():
                    self.send_response(receiver.fail_with)
                    self.end_headers()
                    return
                receiver._record(self.path, body, self.headers.get("Content-Type") or "",
                                 self.headers.get("X-Orgwatch-Message-Id"))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": true}')

        self.server = _start(Handler)
        return self

    @property
    def port(self) -> int:
        return self.server.server_port

    def url(self, path: str = "orgwatch") -> str:
        return f"json://127.0.0.1:{self.port}/{path}"

    def form_url(self, path: str = "orgwatch") -> str:
        return f"form://127.0.0.1:{self.port}/{path}"

    def _record(self, path: str, body: bytes, content_type: str = "", message_id: str | None = None) -> None:
        payload = _parse_body(body, content_type)
        entry = {"path": path, **payload} if isinstance(payload, dict) else {"path": path, "payload": payload}
        if message_id:
            entry["message_id"] = message_id
        with self._lock:
            self.received.append(entry)
            with (self.folder / "outbox.jsonl").open("a", encoding="utf-8") as fh:
                fh.write(json.dumps(entry, ensure_ascii=False) + "\n")
            with (self.folder / "outbox.md").open("a", encoding="utf-8") as fh:
                fh.write(f"# {entry.get('title', '')}\n\n{entry.get('message', '')}\n\n")

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()


def _parse_body(body: bytes, content_type: str) -> object:
    """JSON, url-encoded or multipart form bodies as a dict (form fields as strings)."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()}
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=email.policy.HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode("latin-1") + body)
        return {part.get_param("name", header="content-disposition"): part.get_content()
                for part in message.iter_parts() if not part.get_filename()}
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"raw": body.decode("utf-8", "replace")}
