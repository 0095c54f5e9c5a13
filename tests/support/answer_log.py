"""An ASGI wrapper that counts an emulator's answers on its public API, by (method, path, query, status):
what the shop was really asked, request by request (the emulator's own counters are per route)."""

from __future__ import annotations

from collections import Counter
from typing import Any


class AnswerLog:
    """Wraps an ASGI app; ``answers`` counts each (method, path, query string, status) it answered."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = getattr(app, "state", None)  # the emulator behind it, for its admin state
        self.answers: Counter[tuple[str, str, str, int]] = Counter()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/_admin"):
            await self.app(scope, receive, send)
            return
        status: dict[str, int] = {}

        async def sending(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, receive, sending)
        key = (scope["method"], scope["path"], scope["query_string"].decode(), status.get("code", 0))
        self.answers[key] += 1

    def fetched_twice(self) -> list[tuple[str, str, str]]:
        """Requests the app answered 200 more than once."""
        return [key[:3] for key, n in self.answers.items() if key[3] == 200 and n > 1]
