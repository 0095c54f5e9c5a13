"""What a flow checks before it reads an AFAS GetConnector: that the token may read it and that it has
the field ids the tenant file names (``metainfo/get``), so a run fails at once with what to fix; and
(``ConnectorChecks``) how the stock and articles flows keep that answer between runs, so an idle run
costs one AFAS call per connector it reads, not two."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta

from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.hooks.errors import (
    AfasAuthError,
    AfasBadRequestError,
    AfasNotFoundError,
    AfasValidationError,
)
from lightspeed_afas.ledger import Ledger


def connector_field_count(
    hooks: Hooks, connector: str, wanted: Mapping[str, str], instead: str | None, error: type[Exception]
) -> int:
    """The connector's field count; ``error`` naming what is missing (``wanted``: setting → field id;
    ``instead``: what else the tenant can do, e.g. "set stock.connector to the one you use")."""
    try:
        meta = hooks.afas.metainfo_get(connector)
    except AfasAuthError as exc:
        raise error(
            f"AFAS does not offer the GetConnector {connector} to this token ({exc}). Import it into the "
            f"environment and add it to the App Connector{', or ' + instead if instead else ''}."
        ) from None
    except AfasNotFoundError as exc:
        raise error(f"AFAS has no GetConnector {connector}: {exc}") from None
    # Anything else (503 maintenance, a 5xx, no answer) is transient: the task's retry reads it again.
    fields = {str(f.get("id")) for f in meta.get("fields") or [] if isinstance(f, dict)}
    missing = [f"{key} = {fid!r}" for key, fid in wanted.items() if fid not in fields]
    if missing:
        raise error(
            f"GetConnector {connector} has no field {', no field '.join(missing)}; its fields are "
            f"{', '.join(sorted(fields)) or '(none)'}."
        )
    return len(fields)


CHECKED = "connector_checked:"  # flow-state key prefix: + connector → {"wanted", "fields", "at"}
REFUSED_READS = (AfasAuthError, AfasNotFoundError, AfasBadRequestError, AfasValidationError)


class ConnectorChecks:
    """``connector_field_count`` for one flow's run, at most once per ``max_age`` per connector and
    field set: the answer is kept in the flow's state, so a run whose connectors were checked recently
    reads them with no ``metainfo`` call first. A read that AFAS refuses while its check came from the
    state checks again at once (``reading``): a connector changed since says what to set, as the first
    check would have."""

    def __init__(
        self, ledger: Ledger, tenant: str, flow: str, hooks: Hooks, now: datetime, max_age: timedelta
    ) -> None:
        self.ledger, self.tenant, self.flow, self.hooks = ledger, tenant, flow, hooks
        self.now, self.max_age = now, max_age
        self.kept: set[str] = set()  # connectors whose count came from the state in this run

    def field_count(
        self, connector: str, wanted: Mapping[str, str], instead: str | None, error: type[Exception]
    ) -> int:
        key = CHECKED + connector
        known = self.ledger.flow_state(self.tenant, self.flow).get(key)
        fields = sorted(wanted.values())
        if isinstance(known, dict) and known.get("wanted") == fields and self._fresh(known.get("at")):
            self.kept.add(connector)
            return int(known["fields"])
        count = connector_field_count(self.hooks, connector, wanted, instead, error)
        entry = {"wanted": fields, "fields": count, "at": self.now.isoformat()}
        self.ledger.set_flow_state(self.tenant, self.flow, **{key: entry})
        return count

    @contextmanager
    def reading(self, connector: str, check: Callable[[], object]) -> Iterator[None]:
        """Around a read of ``connector``: when AFAS refuses it and the check was kept, forget the check
        and run it again now (``check`` raises the flow's error when the connector no longer fits)."""
        try:
            yield
        except REFUSED_READS:
            if connector not in self.kept:
                raise
            self.kept.discard(connector)
            self.ledger.set_flow_state(self.tenant, self.flow, **{CHECKED + connector: None})
            check()
            raise

    def _fresh(self, at: object) -> bool:
        try:
            moment = datetime.fromisoformat(str(at))
        except ValueError:
            return False
        return moment.tzinfo is not None and timedelta(0) <= self.now - moment < self.max_age
