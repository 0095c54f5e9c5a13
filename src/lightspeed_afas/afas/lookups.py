"""The GetConnectors and field ids the look-ups read in a standard AFAS environment.

A tenant may name its own under ``afas.lookups`` (``config.tenant``); these are the defaults. AFAS has no
standard GetConnector for direct invoices: ``DIRECT_INVOICE_CONNECTOR`` is the custom one the README asks
an administrator to import.
"""

from __future__ import annotations

DEBTOR_CONNECTOR = "Profit_Debtor"
DEBTOR_EMAIL_FIELD = "Email"
DEBTOR_ID_FIELD = "DebtorId"
ORDER_CONNECTOR = "Profit_Salesorders"
DIRECT_INVOICE_CONNECTOR = "Lightspeed_DirectInvoices"
ORDER_REFERENCE_FIELD = "CustomerReference"  # shows RfCs, where the Lightspeed order number goes
ORDER_NUMBER_FIELD = "OrderNumber"
ORDER_STATUS_FIELD = "Status"
# The stock flow's default: AFAS's standard "Stock (virtual) by item" (no warehouse, no change date).
STOCK_CONNECTOR = "Profit_Stock_per_Warehouse"
STOCK_ITEM_FIELD = "Item_code"
STOCK_QUANTITY_FIELD = "In_stock"

# Fixed (no tenant setting): the debtor's creation date, an order's debtor, and the lines of an order.
DEBTOR_DATE_FIELD = "CreateDate"
ORDER_DEBTOR_FIELD = "DebtorId"
LINES_CONNECTOR = "Profit_SalesorderLines"
LINES_ORDER_FIELD = "OrderNumber"
LINES_GUID_FIELD = "LineGuid"

# What ``doctor`` reads to check the tenant's administration and sales journal.
ADMINISTRATIONS_CONNECTOR = "Profit_Administrations"
ADMINISTRATION_ID_FIELD = "AdminId"
ADMINISTRATION_NAME_FIELD = "AdminNm"
JOURNALS_CONNECTOR = "Profit_Journals"
JOURNAL_UNIT_FIELD = "UnitId"
JOURNAL_ID_FIELD = "JournalId"

# The keys AFAS answers an insert with: the order number it assigned, the debtor it created.
ORDER_NUMBER_KEY = "OrNu"
DEBTOR_KEY = "DbId"

# The UpdateConnectors the order flow writes to.
SALES_ORDER_CONNECTOR = "FbSales"
DIRECT_INVOICE_WRITER = "FbDirectInvoice"
RELATION_CONNECTORS = ("KnSalesRelationPer", "KnSalesRelationOrg")
