"""A local OpenAI-compatible server for tests: answers chat completions as told, on 127.0.0.1 only."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from episodes import llm


def completion(text: str | None, *, prompt_tokens: int = 100, completion_tokens: int = 20, model="fake-model"):
    """Return a chat completion's JSON body holding ``text``."""
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


class FakeModel:
    """A server whose answers are queued (status, body, delay) or made by ``answer(request) -> text``."""

    def __init__(self):
        self.queue: list[tuple[int, object, float]] = []
        self.answer: Callable[[dict], str] = lambda request: "An answer"
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                request = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(request)
                fake.headers.append(dict(self.headers))
                status, body, delay = fake.queue.pop(0) if fake.queue else (200, None, 0)
                if body is None:
                    body = completion(fake.answer(request))
                if delay:
                    time.sleep(delay)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def push(self, status: int = 200, body=None, delay: float = 0) -> None:
        """Queue one answer: ``body`` a JSON-able object, bytes, or None for ``answer``'s text."""
        self.queue.append((status, body, delay))

    def prompt(self, index: int = -1) -> str:
        """Return the user message of a request received."""
        return self.requests[index]["messages"][-1]["content"]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake_model(settings, monkeypatch):
    """Point the CMS at a fresh local fake model server; retries wait no time."""
    server = FakeModel()
    settings.AI_BASE_URL = server.url
    settings.AI_MODEL = "fake-model"
    settings.AI_API_KEY = "sk-test-secret-key-123456"
    settings.AI_TIMEOUT = 5
    settings.AI_RETRIES = 2
    settings.AI_PRICE_INPUT_PER_MTOK = "0.25"
    settings.AI_PRICE_OUTPUT_PER_MTOK = "2"
    monkeypatch.setattr(llm, "BACKOFF", 0)
    yield server
    server.stop()
