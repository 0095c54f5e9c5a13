"""The AFAS emulator's state, faults and call counters (one per app, ``app.state.emulator``)."""

from __future__ import annotations

import random
import threading
from collections import Counter
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from emulators.afas import articles, credits
from emulators.afas.catalogue import Catalogue
from emulators.afas.config import AfasConfig
from emulators.afas.errors import ProfitError
from emulators.afas.faults import Faults
from emulators.afas.seed import seed_debtors
from emulators.afas.state import AfasState
from emulators.clock import EmulatorClock


class AfasEmulator:
    """The emulator's state, faults and counters; ``lock`` guards them (admin routes run in threads)."""

    def __init__(self, config: AfasConfig) -> None:
        self.config = config
        self.lock = threading.RLock()
        self.clock = EmulatorClock(config.clock_scale)
        self.reset()

    def reset(self, keep_catalogue: bool = False) -> None:
        with self.lock:
            catalogue = (
                self.state.catalogue
                if keep_catalogue
                else (self.config.catalogue.copy() if self.config.catalogue else Catalogue())
            )
            self.state = AfasState(
                catalogue, random.Random(self.config.seed), self.clock, self.config.base_time
            )
            seed_debtors(self.state, self.config.seeded_debtors, self.config.seed, self.config.base_time)
            articles.configure(self.state, self.config)
            credits.configure(self.state, self.config)
            self.faults = Faults()
            self.reset_calls()

    def reset_calls(self) -> None:
        with self.lock:
            self.calls: Counter[str] = Counter()
            self.by_status: Counter[str] = Counter()
            self.integration_ids: Counter[str] = Counter()
            self.violations: Counter[str] = Counter()
            self.events: Counter[str] = Counter()  # unavailable, refused_in_flight, dropped, hung
            self.in_flight = 0
            self.max_in_flight = 0

    def error_response(self, error: ProfitError, request: Request, connector: str | None) -> JSONResponse:
        with self.lock:
            reference = self.state.log_reference()
            self.state.errors.append(
                {
                    "profitLogReference": reference,
                    "errorNumber": error.error_number,
                    "externalMessage": error.message,
                    "status": error.status,
                    "method": request.method,
                    "path": request.url.path,
                    "connector": connector,
                    "integrationId": request.headers.get("integrationid"),
                    "at": self.state.now().isoformat(),
                }
            )
        body = {
            "externalMessage": error.message,
            "errorNumber": error.error_number,
            "profitLogReference": reference,
        }
        return JSONResponse(body, status_code=error.status)

    def calls_summary(self) -> dict[str, Any]:
        with self.lock:
            return {
                "calls": dict(self.calls),
                "by_status": dict(self.by_status),
                "integration_ids": dict(self.integration_ids),
                "connection_close": self.violations["connection_close"],
                "violations": dict(self.violations),
                "max_in_flight": self.max_in_flight,
                "in_flight": self.in_flight,
                "unavailable": self.events["unavailable"],
                "refused_in_flight": self.events["refused_in_flight"],
                "dropped": self.events["dropped"],
                "hung": self.events["hung"],
                "total": sum(n for k, n in self.calls.items() if not k.startswith("status ")),
            }
