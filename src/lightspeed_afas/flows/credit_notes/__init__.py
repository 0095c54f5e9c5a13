"""The credit-notes flow (Lightspeed → AFAS): extract_credit_notes → transform → load_to_afas.

A refund in Lightspeed is a credit note (an invoice with ``isCreditNote``); each is booked once in AFAS
as a credit on the original order's debtor, in the document type the tenant books orders in.
``extract_step`` reads and chooses, ``transform_step`` finds the debtor and builds the credit
(``domain.credit_booking``), ``load_step`` inserts it once and closes the run (``flows.record_flow``).
"""

from lightspeed_afas.flows.credit_notes.extract_step import extract_credit_notes
from lightspeed_afas.flows.credit_notes.load_step import load_credit_notes
from lightspeed_afas.flows.credit_notes.settings import FLOW, CreditNoteSyncSettings, credit_note_settings
from lightspeed_afas.flows.credit_notes.transform_step import CreditOperation, transform_credit_notes

__all__ = [
    "FLOW",
    "CreditNoteSyncSettings",
    "CreditOperation",
    "credit_note_settings",
    "extract_credit_notes",
    "load_credit_notes",
    "transform_credit_notes",
]
