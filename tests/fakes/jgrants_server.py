"""A local stand-in for the jGrants public API (補助金情報取得API 1.0), built from the shared JSONL file.

Serves, on 127.0.0.1 and a free port:

- ``GET /v1/public/subsidies?keyword=K&sort=…&order=…&acceptance=0|1`` → ``{"metadata", "result": [summary…]}``;
  a keyword shorter than 2 characters gives an empty result (as the real API does), a missing one a 400.
- ``GET /v1/public/subsidies/id/{id}`` → ``{"metadata", "result": [detail + attachments]}``, 404 in the API's
  error format ``{type, errorCode, title, instance}`` for an unknown id.

Tests can make the next answers of a path fail (``fail_next``) or stall (``stall_next``), and read
``requests`` to see what was asked.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

LIST_FIELDS = ("id", "name", "title", "target_area_search", "subsidy_max_limit", "acceptance_start_datetime",
               "acceptance_end_datetime", "target_number_of_employees", "institution_name")
SORTS = {"created_date", "acceptance_start_datetime", "acceptance_end_datetime"}
FAKE_PDF = base64.b64encode(b"%PDF-1.4 fake attachment, never to be kept\n" * 50).decode()


class FakeJGrants:
    def __init__(self, records: list[dict[str, Any]]):
        self.records = {r["id"]: r for r in records}
        self.requests: list[str] = []
        self.fail_next: dict[str, list[int]] = defaultdict(list)  # path → statuses to answer first
        self.stall_next: dict[str, int] = defaultdict(int)  # path → answers to delay by stall_seconds
        self.stall_seconds = 1.0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_jsonl(cls, path: Path) -> FakeJGrants:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        return cls([json.loads(line) for line in lines if line.strip()])

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                fake._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)

    @property
    def base_url(self) -> str:
        assert self._server is not None
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    # --- answers -----------------------------------------------------------------------------

    def _handle(self, req: BaseHTTPRequestHandler) -> None:
        url = urlsplit(req.path)
        path = url.path
        self.requests.append(req.path)
        if self.stall_next[path] > 0:
            self.stall_next[path] -= 1
            time.sleep(self.stall_seconds)
        if self.fail_next[path]:
            status = self.fail_next[path].pop(0)
            return self._send(req, status, self._error(status, path))
        query = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        if path == "/v1/public/subsidies":
            return self._list(req, query, path)
        prefix = "/v1/public/subsidies/id/"
        if path.startswith(prefix):
            rid = unquote(path[len(prefix):])
            record = self.records.get(rid)
            if record is None:
                return self._send(req, 404, self._error(404, path))
            detail = {k: v for k, v in record.items() if k != "_snapshot"}
            detail["application_guidelines"] = [{"name": "公募要領.pdf", "data": FAKE_PDF}]
            detail["outline_of_grant"] = [{"name": "概要.pdf", "data": FAKE_PDF}]
            detail["application_form"] = [{"name": "様式.docx", "data": FAKE_PDF}]
            return self._send(req, 200, {"metadata": {"type": "Subsidy", "resultset": {"count": 1}},
                                         "result": [detail]})
        return self._send(req, 404, self._error(404, path))

    def _list(self, req: BaseHTTPRequestHandler, query: dict[str, str], path: str) -> None:
        keyword = query.get("keyword")
        if keyword is None or len(keyword) > 255 or query.get("sort", "created_date") not in SORTS \
                or query.get("order", "DESC") not in ("ASC", "DESC") or query.get("acceptance", "0") not in ("0", "1"):
            return self._send(req, 400, self._error(400, path))
        hits: list[dict[str, Any]] = []
        if len(keyword) >= 2:
            for record in self.records.values():
                text = " ".join(str(record.get(f) or "") for f in ("title", "subsidy_catch_phrase", "detail"))
                if keyword.lower() not in text.lower():
                    continue
                if query.get("acceptance") == "1" and record.get("_snapshot", {}).get("status_at_collection") == "closed":
                    continue
                hits.append(record)
        sort = query.get("sort", "created_date")
        key = (lambda r: r.get("_snapshot", {}).get("first_seen") or "") if sort == "created_date" \
            else (lambda r: r.get(sort) or "")
        hits.sort(key=key, reverse=query.get("order", "DESC") == "DESC")
        result = [{f: r.get(f) for f in LIST_FIELDS} for r in hits]
        self._send(req, 200, {"metadata": {"type": "Subsidy", "resultset": {"count": len(result)}}, "result": result})

    @staticmethod
    def _error(status: int, path: str) -> dict[str, Any]:
        titles = {400: "Bad Request", 404: "Not Found", 500: "Internal Server Error", 503: "Service Unavailable"}
        return {"type": "about:blank", "errorCode": f"E{status}", "title": titles.get(status, "Error"), "instance": path}

    @staticmethod
    def _send(req: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        req.send_response(status)
        req.send_header("Content-Type", "application/json; charset=utf-8")
        req.send_header("Content-Length", str(len(data)))
        req.end_headers()
        try:
            req.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
