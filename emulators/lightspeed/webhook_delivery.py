"""The sender of the Lightspeed emulator's webhooks: a queue, one worker thread, and a log of every attempt.

Nothing about delivery is documented for eCom (erp-extras §1.8, §3 item 16), so every aspect is a setting
(``DeliverySettings``: ``LightspeedConfig.webhook_delivery`` at start, ``POST /_admin/webhook_delivery``
at run time, restored by ``/_admin/reset``):
- ``mode`` "async" (default): a worker thread sends; the admin or API call that caused the event never
  waits. "sync": the call that caused it returns only after every delivery it caused is done (delays,
  retries and backoffs included) — for tests.
- ``delay_ms`` (0) fixed, plus ``jitter_ms`` (0) uniformly random, between the event and the first send.
- ``reorder`` (false): deliveries leave in event order (a delivery waits for the one before it, retries
  included) | each leaves at its own time, so a later one with less jitter, or one whose predecessor
  is waiting to be retried, overtakes.
- ``loss_rate`` (0): the fraction of deliveries never sent (recorded ``lost``); ``duplicate_rate`` (0):
  the fraction sent twice (the copy recorded ``duplicate``); ``bad_signature_rate`` (0): the fraction
  of sent copies with a wrong ``X-Signature`` (recorded ``signed_ok`` false).
- ``retries`` (0) after a non-2xx answer, a timeout or a connection error, waiting
  ``retry_backoff_ms`` (500) × 2^(n−1) before the n-th; ``timeout_ms`` (5000) per attempt. A webhook is
  never disabled after failures.
- ``seed`` ("webhooks"): one ``random.Random(seed)`` draws, per delivery and in event order: lost?,
  duplicate?, then per copy a wrong signature? and its jitter — so a seed gives the same outcome every
  run. Changing the settings reseeds it.

The request: ``POST <address>`` with the body bytes the event was rendered to and the headers ``Host``,
``Content-Length``, ``Accept-Encoding: identity`` (Python's HTTP client adds it), ``Content-Type:
application/json``, ``User-Agent: Lightspeed-eCom-emulator-webhooks`` and ``X-Signature`` (absent under
the rule "none") — no others; no redirects followed, no proxies, one connection per attempt. A webhook whose ``format`` is
"xml" is never sent: each delivery is one failed attempt, error "format xml is not delivered by the
emulator", without retries (xml bodies are out of the emulator's scope).

The worker thread ("lightspeed-webhooks") starts with the first delivery and ends when the queue is
empty; ``stop`` (called when the serving event loop ends, see ``watch_running_loop``, and by
``LightspeedEmulator.close``) drops what is pending and joins it, so no thread outlives the server.
"""

from __future__ import annotations

import asyncio
import copy
import heapq
import itertools
import random
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any

import requests

MODES = ("async", "sync")
USER_AGENT = "Lightspeed-eCom-emulator-webhooks"
XML_REFUSED = "format xml is not delivered by the emulator"
THREAD_NAME = "lightspeed-webhooks"


@dataclass
class DeliverySettings:
    """How webhooks are delivered (see the module); ``update`` checks a whole change before applying it."""

    mode: str = "async"
    delay_ms: float = 0
    jitter_ms: float = 0
    loss_rate: float = 0
    duplicate_rate: float = 0
    bad_signature_rate: float = 0
    reorder: bool = False
    retries: int = 0
    retry_backoff_ms: float = 500
    timeout_ms: float = 5000
    seed: int | str = "webhooks"

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            setattr(self, name, self.checked(name, value))

    @staticmethod
    def checked(name: str, value: Any) -> Any:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if name == "mode":
            if value not in MODES:
                raise ValueError(f"{name}: one of {', '.join(MODES)}, got {value!r}")
        elif name in ("loss_rate", "duplicate_rate", "bad_signature_rate"):
            if not number or not 0 <= value <= 1:
                raise ValueError(f"{name}: a fraction from 0 to 1, got {value!r}")
        elif name in ("delay_ms", "jitter_ms", "retry_backoff_ms"):
            if not number or not 0 <= value <= 3_600_000:
                raise ValueError(f"{name}: milliseconds from 0 to 3600000, got {value!r}")
        elif name == "timeout_ms":
            if not number or not 1 <= value <= 600_000:
                raise ValueError(f"{name}: milliseconds from 1 to 600000, got {value!r}")
        elif name == "retries":
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
                raise ValueError(f"{name}: a whole number from 0 to 100, got {value!r}")
        elif name == "reorder":
            if not isinstance(value, bool):
                raise ValueError(f"{name}: true or false, got {value!r}")
        elif name == "seed":
            if isinstance(value, bool) or not isinstance(value, int | str):
                raise ValueError(f"{name}: a whole number or a string, got {value!r}")
        else:
            raise ValueError(f"unknown setting {name!r}; settings: {', '.join(SETTING_NAMES)}")
        return value

    def update(self, changes: dict[str, Any]) -> None:
        checked = {name: self.checked(name, value) for name, value in changes.items()}
        for name, value in checked.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


SETTING_NAMES = tuple(f.name for f in fields(DeliverySettings))


@dataclass(frozen=True)
class Outgoing:
    """One webhook's delivery of one event, as the shop hands it over."""

    event: int
    webhook: int
    group: str
    action: str
    resource: int
    address: str
    format: str
    body: bytes
    signature: str | None  # the right X-Signature; None: the request carries none
    wrong_signature: str | None  # what a bad-signature copy carries instead


@dataclass
class Copy:
    """One copy of a delivery in the queue (a duplicate is a second copy)."""

    outgoing: Outgoing
    delivery: int
    lost: bool
    duplicate: bool
    bad_signature: bool
    attempt: int = 0

    @property
    def header(self) -> str | None:
        return self.outgoing.wrong_signature if self.bad_signature else self.outgoing.signature


class Deliverer:
    """The queue, the worker and the log; ``now`` gives the log's ``at`` (the emulator's clock)."""

    def __init__(self, settings: DeliverySettings, now: Callable[[], str]) -> None:
        self.now = now
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Copy]] = []
        self._order = itertools.count()
        self._deliveries = itertools.count(1)
        self._in_flight = 0
        self._last_due = 0.0
        self._log: list[dict[str, Any]] = []
        self._worker: threading.Thread | None = None
        self._worker_stop = threading.Event()
        self._never = threading.Event()
        self._watched: asyncio.AbstractEventLoop | None = None
        self._sentinel: asyncio.Task[None] | None = None
        self._settings = copy.deepcopy(settings)
        self._random = random.Random(settings.seed)

    # --- settings and state ------------------------------------------------------------------------

    def reset(self, settings: DeliverySettings) -> None:
        """Drop what is pending, clear the log, take ``settings`` (a copy) and reseed."""
        self.stop()
        with self._cond:
            self._settings = copy.deepcopy(settings)
            self._random = random.Random(self._settings.seed)
            self._log.clear()
            self._deliveries = itertools.count(1)
            self._last_due = 0.0

    def configure(self, changes: dict[str, Any]) -> dict[str, Any]:
        """Change some settings (all checked first; ValueError names the bad one) and reseed."""
        with self._cond:
            self._settings.update(changes)
            self._random = random.Random(self._settings.seed)
            self._cond.notify_all()
            return self._settings.as_dict()

    @property
    def settings(self) -> dict[str, Any]:
        with self._cond:
            return self._settings.as_dict()

    @property
    def sync(self) -> bool:
        return self._settings.mode == "sync"

    def pending(self) -> int:
        with self._cond:
            return len(self._heap) + self._in_flight

    def log(self) -> list[dict[str, Any]]:
        with self._cond:
            return copy.deepcopy(self._log)

    def clear_log(self) -> None:
        with self._cond:
            self._log.clear()

    # --- queueing ----------------------------------------------------------------------------------

    def submit(self, outgoing: list[Outgoing]) -> None:
        """Queue the deliveries of one event (in webhook order); the draws follow the module's order."""
        if not outgoing:
            return
        with self._cond:
            s, rng, start = self._settings, self._random, time.monotonic() + self._settings.delay_ms / 1000
            for item in outgoing:
                lost = rng.random() < s.loss_rate
                duplicate = not lost and rng.random() < s.duplicate_rate
                delivery = next(self._deliveries)
                for n in range(2 if duplicate else 1):
                    bad = rng.random() < s.bad_signature_rate and item.signature is not None
                    due = start + rng.uniform(0, s.jitter_ms) / 1000
                    if not s.reorder:
                        due = self._last_due = max(due, self._last_due)
                    job = Copy(item, delivery, lost, duplicate=n == 1, bad_signature=bad)
                    heapq.heappush(self._heap, (due, next(self._order), job))
            self._cond.notify_all()
            if not self.sync and (self._worker is None or not self._worker.is_alive()):
                self._worker_stop = threading.Event()
                self._worker = threading.Thread(
                    target=self._work, args=(self._worker_stop,), name=THREAD_NAME, daemon=True
                )
                self._worker.start()

    def _next(self, stop: threading.Event) -> Copy | None:
        """The next copy once it is due (the caller holds the lock); None when empty or stopped."""
        while not stop.is_set() and self._heap:
            wait = self._heap[0][0] - time.monotonic()
            if wait <= 0:
                self._in_flight += 1
                return heapq.heappop(self._heap)[2]
            self._cond.wait(wait)
        return None

    def _work(self, stop: threading.Event) -> None:
        while True:
            with self._cond:
                job = self._next(stop)
                if job is None:
                    if self._worker is threading.current_thread():
                        self._worker = None
                    self._cond.notify_all()
                    return
            self._run(job, stop)

    def drain(self) -> None:
        """Deliver everything queued in the calling thread (sync mode), waiting for due times."""
        while True:
            with self._cond:
                job = self._next(self._never)
                if job is None:
                    return
            self._run(job, self._never)

    def flush(self, timeout: float) -> bool:
        """Wait until nothing is pending (in sync mode: deliver it here); whether that happened."""
        if self.sync:
            self.drain()
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._heap or self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
            return True

    # --- sending -----------------------------------------------------------------------------------

    def _run(self, job: Copy, stop: threading.Event) -> None:
        """Every attempt of one copy (or its re-queueing for a retry under ``reorder``)."""
        try:
            while True:
                with self._cond:
                    s = copy.copy(self._settings)
                job.attempt += 1
                if job.lost:
                    self._record(job, None, "lost")
                    return
                status, error = self._send(job, s.timeout_ms / 1000)
                self._record(job, status, error)
                if (status is not None and 200 <= status < 300) or error == XML_REFUSED:
                    return
                if job.attempt > s.retries:
                    return
                backoff = s.retry_backoff_ms * 2 ** (job.attempt - 1) / 1000
                if s.reorder:
                    with self._cond:
                        if not stop.is_set():
                            heapq.heappush(self._heap, (time.monotonic() + backoff, next(self._order), job))
                    return
                if stop.wait(backoff):
                    return
        finally:
            with self._cond:
                self._in_flight -= 1
                self._cond.notify_all()

    @staticmethod
    def _send(job: Copy, timeout: float) -> tuple[int | None, str | None]:
        item = job.outgoing
        if item.format != "json":
            return None, XML_REFUSED
        headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        if job.header is not None:
            headers["X-Signature"] = job.header
        with requests.Session() as session:
            session.trust_env = False  # Lightspeed does not go through the test machine's proxy
            session.headers.clear()  # only the headers below (and those http.client adds)
            try:
                response = session.post(
                    item.address, data=item.body, headers=headers, timeout=timeout, allow_redirects=False
                )
            except requests.Timeout:
                return None, "timeout"
            except requests.RequestException as exc:
                return None, f"connection error: {type(exc).__name__}"
            response.close()
            return response.status_code, None

    def _record(self, job: Copy, status: int | None, error: str | None) -> None:
        item = job.outgoing
        entry = {
            "delivery": job.delivery,
            "event": item.event,
            "webhook": item.webhook,
            "group": item.group,
            "action": item.action,
            "resource": item.resource,
            "address": item.address,
            "attempt": job.attempt,
            "status": status,
            "error": error,
            "ok": status is not None and 200 <= status < 300,
            "signed_ok": item.signature is not None and not job.bad_signature,
            "signature": job.header,
            "lost": job.lost,
            "duplicate": job.duplicate,
            "at": self.now(),
        }
        with self._cond:
            self._log.append(entry)

    # --- life cycle --------------------------------------------------------------------------------

    def watch_running_loop(self) -> None:
        """Stop the worker when the event loop serving the app ends (uvicorn cancels every task then,
        also without a lifespan); call from a request."""
        loop = asyncio.get_running_loop()
        if self._watched is loop:
            return
        self._watched = loop
        self._sentinel = loop.create_task(self._stop_when_cancelled(loop))

    async def _stop_when_cancelled(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            if self._watched is loop:
                self._watched = None
            self.stop()

    def stop(self) -> None:
        """Drop what is pending and end the worker (waiting for an attempt in progress)."""
        with self._cond:
            self._heap.clear()
            worker, self._worker = self._worker, None
            self._worker_stop.set()
            self._cond.notify_all()
            timeout = self._settings.timeout_ms / 1000 + 1
        if worker is not None and worker is not threading.current_thread():
            worker.join(timeout)


def summary(log: list[dict[str, Any]]) -> dict[str, int]:
    """Counts over a delivery log: attempts, deliveries, ok, failed attempts, lost, duplicates, bad
    signatures (copies sent with a wrong one, counted once)."""
    firsts = [e for e in log if e["attempt"] == 1]
    return {
        "attempts": len(log),
        "deliveries": len({e["delivery"] for e in log}),
        "ok": sum(e["ok"] for e in log),
        "failed": sum(not e["ok"] and not e["lost"] for e in log),
        "lost": sum(e["lost"] for e in firsts),
        "duplicates": sum(e["duplicate"] for e in firsts),
        "bad_signatures": sum(
            not e["signed_ok"] and not e["lost"] and e["signature"] is not None for e in firsts
        ),
    }
