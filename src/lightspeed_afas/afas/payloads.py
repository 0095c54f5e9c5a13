"""The AFAS codebook's payloads in one import: sales documents, relations and refusal labels.

AFAS field codes appear in this package (and in the mapping YAML) next to a readable name, nowhere else:

- ``sales_documents``: ``SalesDocument`` and ``SalesLine`` (``FbSales`` / ``FbDirectInvoice``);
- ``relation_payloads``: ``PersonRelation``, ``OrganisationRelation`` and their parts;
- ``refusal_labels``: the Dutch labels AFAS names a refused field by;
- ``field_values``: how amounts and optional fields are written.
"""

from __future__ import annotations

from lightspeed_afas.afas.field_values import amount
from lightspeed_afas.afas.refusal_labels import (
    ITEM_TYPE_LABELS,
    LINE_ITEM_CODE,
    LINE_ITEM_TYPE,
    LINE_KEY,
    REFUSAL_LABELS,
    LabelledField,
)
from lightspeed_afas.afas.relation_payloads import (
    OrganisationRelation,
    Person,
    PersonRelation,
    PostalAddress,
    RelationDefaults,
)
from lightspeed_afas.afas.sales_documents import LINES_OF, SalesConnector, SalesDocument, SalesLine

__all__ = [
    "ITEM_TYPE_LABELS",
    "LINES_OF",
    "LINE_ITEM_CODE",
    "LINE_ITEM_TYPE",
    "LINE_KEY",
    "REFUSAL_LABELS",
    "LabelledField",
    "OrganisationRelation",
    "Person",
    "PersonRelation",
    "PostalAddress",
    "RelationDefaults",
    "SalesConnector",
    "SalesDocument",
    "SalesLine",
    "amount",
]
