"""What a flow checks before it reads an AFAS GetConnector: that the token may read it and that it has
the field ids the tenant file names (``metainfo/get``), so a run fails at once with what to fix."""

from __future__ import annotations

from collections.abc import Mapping

from lightspeed_afas.flows.clients import Hooks
from lightspeed_afas.hooks.errors import AfasAuthError, AfasNotFoundError


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
