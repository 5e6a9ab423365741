"""A local OpenAI-compatible chat-completions server that misbehaves on
purpose, for the tests of the ``openai`` engine (:mod:`pipeline.engines.openai`).

It is a real HTTP server on 127.0.0.1 (a free port, one thread per
request) that speaks the protocol the engine speaks: it reads the JSON
segments from the last user message and answers one JSON object, one
"translation" per segment id. The "translation" is deterministic and
plainly not one (:func:`pseudo_translation`: each Han character becomes
``zh`` and two hex digits, placeholders and Latin text pass through), so no test
can pass off a quality claim.

How it misbehaves is set per test:

* ``faults``: a queue consumed one per chat request, in order of arrival:
  ``"500"``, ``"429"`` (with ``Retry-After``), ``"slow"`` (answers after
  :attr:`ChatServer.slow_seconds`), ``"malformed"`` (broken JSON content),
  ``"explain"`` (prose around the JSON), ``"not-json-body"``,
  ``"non-utf8"``, ``"redirect"`` (to a remote host), ``"giant"`` (a body
  far past any sane size, announced; ``"giant-chunked"``: not announced), ``"endless"`` (a body that never ends),
  ``"nested"`` (JSON nested past any parser's depth), ``"cut"`` (finish
  reason ``length``), ``"close"`` (the connection dropped, no answer),
  ``"400"``, ``"slow-headers"`` (headers that never end, a byte at a
  time). Once the queue is empty the server answers properly.
* ``per_segment``: source substring → ``(behaviour, times)``: ``"han"``
  (Chinese left in), ``"explain"`` (an explanation instead of the
  translation), ``"drop"`` (the id left out), ``"long"`` (a runaway
  answer), ``"lose-placeholder"``, ``"double-placeholder"``; ``times``
  is how many answers for that segment misbehave (None: all).
* ``extra_ids``: add ids nobody asked for.
* ``reject_response_format``: answer 400 to a request that carries
  ``response_format``, as some servers do.
* ``die_after``: after that many answers, the server stops listening.

Everything it received is kept in :attr:`ChatServer.requests`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..zh.script import HAN_RUN_RE
from ..zh.width import fold_width

#: Full-width punctuation that has no ASCII form in the width fold.
_PUNCT = str.maketrans({"。": ".", "、": ",", "“": '"', "”": '"', "‘": "'", "’": "'", "《": '"', "》": '"'})


def pseudo_translation(text: str) -> str:
    """The test server's stand-in for a translation: every Han character
    becomes ``zh`` and two hex digits of its code point (about as long as
    English runs per Chinese character, so the length checks see a normal
    length); digits, Latin text, placeholders and tags pass through; Chinese
    punctuation becomes ASCII. Deterministic and obviously not English."""

    def spell(match) -> str:
        return " " + " ".join(f"zh{ord(ch) % 256:02x}" for ch in match.group(0)) + " "

    out = HAN_RUN_RE.sub(spell, fold_width(text).translate(_PUNCT))
    return " ".join(out.split())


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client that hung up on a slow or endless answer is expected here."""


class ChatServer:
    """The misbehaving server; use it as a context manager."""

    def __init__(self, model: str = "echo-test", models: list[str] | None = None):
        self.model = model
        self.models = [model] if models is None else models
        self.faults: deque[str] = deque()
        self.per_segment: dict[str, tuple[str, int | None]] = {}
        self.extra_ids = False
        self.reject_response_format = False
        self.die_after: int | None = None
        self.slow_seconds = 3.0
        self.retry_after = "1"
        self.requests: list[dict] = []
        self.answered = 0
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}
        self._httpd = _QuietServer(("127.0.0.1", 0), _Handler)
        self._httpd.chat = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None
        self.stopped = threading.Event()

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> ChatServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self.stopped.is_set():
            return
        self.stopped.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> ChatServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # --- what the handler asks ------------------------------------------------------------

    def next_fault(self) -> str | None:
        with self._lock:
            return self.faults.popleft() if self.faults else None

    def answered_one(self) -> None:
        with self._lock:
            self.answered += 1
            dying = self.die_after is not None and self.answered >= self.die_after
        if dying:
            self.stopped.set()
            # shutdown() waits for serve_forever, so not from a request thread's own call.
            threading.Thread(target=lambda: (self._httpd.shutdown(), self._httpd.server_close())).start()

    def behaviour(self, source: str) -> str | None:
        with self._lock:
            for marker, (kind, times) in self.per_segment.items():
                if marker in source:
                    count = self._seen.get(source, 0)
                    self._seen[source] = count + 1
                    return kind if times is None or count < times else None
        return None

    def answer_for(self, segments: list[dict]) -> dict[str, str]:
        answer = {}
        for segment in segments:
            sid, source = str(segment["id"]), segment["text"]
            text = pseudo_translation(source)
            kind = self.behaviour(source)
            if kind == "drop":
                continue
            if kind == "han":
                text = f"{text} 中文"
            elif kind == "explain":
                text = f"Here is the translation of the sentence: {text}"
            elif kind == "long":
                text = " ".join([text] * 200)
            elif kind == "lose-placeholder":
                text = re.sub(r"XT\d+X|</?\d+/?>", "", text)
            elif kind == "double-placeholder":
                found = re.search(r"XT\d+X|<\d+/>", text)
                text = f"{text} {found.group(0)}" if found else text
            answer[sid] = text
        if self.extra_ids:
            answer["999"] = "An id nobody asked for."
        return answer


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # quiet
        pass

    @property
    def chat(self) -> ChatServer:
        return self.server.chat  # type: ignore[attr-defined]

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, data: object, headers: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode("utf-8"), headers)

    def do_GET(self):
        if self.path.rstrip("/") == "/v1/models":
            self._json(200, {"object": "list", "data": [{"id": m, "object": "model"} for m in self.chat.models]})
        else:
            self._json(404, {"error": {"message": "not found"}})

    def do_POST(self):
        if self.chat.stopped.is_set():  # dead: a request that slipped in before the socket closed gets nothing
            self.close_connection = True
            self.connection.close()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length))
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._json(404, {"error": {"message": "not found"}})
            return
        chat = self.chat
        with chat._lock:
            chat.requests.append({"body": body, "headers": dict(self.headers)})
        if chat.reject_response_format and "response_format" in body:
            self._json(400, {"error": {"message": "response_format is not supported"}})
            return
        fault = chat.next_fault()
        if self._fault(fault):
            return
        payload = json.loads(body["messages"][-1]["content"])
        content = json.dumps(chat.answer_for(payload["segments"]), ensure_ascii=False)
        finish = "stop"
        if fault == "malformed":
            content = content[: len(content) // 2]
        elif fault == "explain":
            content = f"Sure! Here is the translation you asked for:\n{content}\nI hope this helps."
        elif fault == "nested":
            content = "[" * 100000 + "]" * 100000
        elif fault == "cut":
            finish = "length"
        data = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "model": chat.model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}],
        }
        chat.answered_one()  # before the answer goes out: a dying server takes no request after it
        if fault == "non-utf8":
            raw = json.dumps(data).encode("utf-8").replace(b"zh", b"\xff\xfe", 1)
            self._send(200, raw)
        else:
            self._json(200, data)

    def _fault(self, fault: str | None) -> bool:
        """Misbehave at the HTTP level; True when the request is answered."""
        if fault == "500":
            self._json(500, {"error": {"message": "internal error"}})
        elif fault == "400":
            self._json(400, {"error": {"message": "bad request"}})
        elif fault == "429":
            self._json(429, {"error": {"message": "slow down"}}, {"Retry-After": self.chat.retry_after})
        elif fault == "slow":
            time.sleep(self.chat.slow_seconds)
            return False
        elif fault == "not-json-body":
            self._send(200, b"<html>this is not JSON</html>")
        elif fault == "redirect":
            self.send_response(307)
            self.send_header("Location", "http://203.0.113.7/v1/chat/completions")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif fault == "giant":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(1 << 40))
            self.end_headers()
            self._trickle(b"x" * 65536, pause=0.0)
        elif fault == "giant-chunked":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._trickle(b"10000\r\n" + b"x" * 65536 + b"\r\n", pause=0.0)
        elif fault == "slow-headers":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            self._trickle(b"a", pause=0.05)
        elif fault == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self._trickle(b"1\r\n \r\n", pause=0.05)
        elif fault == "close":
            self.close_connection = True
            self.connection.close()
        else:
            return False
        return True

    def _trickle(self, chunk: bytes, pause: float) -> None:
        """Send ``chunk`` until the client hangs up or the server stops."""
        try:
            while not self.chat.stopped.is_set():
                self.wfile.write(chunk)
                self.wfile.flush()
                if pause:
                    time.sleep(pause)
        except OSError:
            pass
        self.close_connection = True
