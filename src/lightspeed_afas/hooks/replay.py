"""The Lightspeed answers a step has had, kept so that a step resumed after a deferral asks nothing twice.

A step that defers (``MustWaitError``) runs again from its start when the wait is over. With a ``Replay``
the hook keeps every answer to a GET, in order per request (method, URL with its query); the task stores
them with the deferral (``orchestration.step_checkpoint``), and the resumed attempt's hook answers the
same requests from them, in the same order, without a call — the n-th ask of a request gets the n-th
answer the shop gave it (a window scanned twice because pages drifted gets both scans). Only what the
first attempt had not asked yet reaches the shop. The step's code runs again over the very answers it
had, so it arrives where it stopped with the state it had, and goes on.

``started_at`` is the moment the step's first attempt began: a step that reads a window up to "now"
takes this moment, so the resumed attempt asks for the same window (and its pages are in the replay).
"""

from __future__ import annotations

import base64
import json
import threading
import zlib
from collections import Counter
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from lightspeed_afas.hooks.http import Params


def request_key(method: str, url: str, params: Params | None) -> str:
    return f"{method} {url}?{urlencode(params or [])}"


class Replay:
    """Answers per request, in the order the shop gave them: replayed first, then asked and kept."""

    def __init__(self, started_at: datetime | None = None, answers: dict[str, list[str]] | None = None):
        self.started_at = started_at or datetime.now(UTC)
        self._answers: dict[str, list[str]] = {key: list(texts) for key, texts in (answers or {}).items()}
        self._used: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.replayed = 0  # answers this attempt took from the replay instead of the shop
        self.recorded = sum(len(texts) for texts in self._answers.values())  # what the earlier attempts had

    def next(self, key: str) -> bytes | None:
        """The next answer an earlier attempt had to this request, or None: ask the shop."""
        with self._lock:
            texts = self._answers.get(key, [])
            if self._used[key] >= len(texts):
                return None
            text = texts[self._used[key]]
            self._used[key] += 1
            self.replayed += 1
            return text.encode("utf-8")

    def keep(self, key: str, body: bytes) -> None:
        """An answer the shop gave this attempt (after the replayed ones of the same request)."""
        with self._lock:
            self._answers.setdefault(key, []).append(body.decode("utf-8", errors="replace"))
            self._used[key] += 1

    def to_json(self) -> dict[str, Any]:
        """JSON-safe and compressed (answers are JSON text: a page of orders shrinks about tenfold)."""
        with self._lock:
            packed = zlib.compress(json.dumps(self._answers, separators=(",", ":")).encode("utf-8"), 6)
            count = sum(len(texts) for texts in self._answers.values())
        return {
            "started_at": self.started_at.isoformat(),
            "count": count,
            "answers": base64.b64encode(packed).decode(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Replay:
        answers = (
            json.loads(zlib.decompress(base64.b64decode(data["answers"]))) if data.get("answers") else {}
        )
        return cls(datetime.fromisoformat(data["started_at"]), answers)
