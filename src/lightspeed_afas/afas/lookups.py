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

# The articles flow (erp-extras §2.1): the standard GetConnectors and the field ids it reads.
ARTICLE_CONNECTOR = "Profit_Article"  # incremental on ModifiedDate
ARTICLE_FIELDS = {
    "code": "ItemCode",
    "title": "Description",
    "description": "ExtraDescription",
    "blocked": "Blocked",
    "vat_group": "VATGroup",
    "item_type": "ItemTypeCode",  # FbItemArticle VaTp: "3"/"4" (or their labels) have dimensions
    "dimension_1": "StockDimId1",
    "dimension_2": "StockDimId2",
    "modified": "ModifiedDate",
}
ARTICLE_BASIC_CONNECTOR = "Profit_Article_Basic"  # no change date: read in full
ARTICLE_BASIC_FIELDS = {"code": "ItemCode", "price": "BasicSalesPrice", "vat_group": "VATgroup"}
BARCODE_CONNECTOR = "Profit_Barcode_per_Item"  # no change date: read in full
BARCODE_FIELDS = {
    "code": "ItemCode",
    "barcode": "Barcode",
    "dimension_1": "StockDimCode1",
    "dimension_2": "StockDimCode2",
    "debtor": "DebtorId",
    "creditor": "CreditorId",
}
SALES_PRICE_CONNECTOR = "Profit_SalesPrice"  # the price list of one debtor; "(Filter)" fields are inputs
SALES_PRICE_FIELDS = {
    "code": "Item",
    "price": "Nettoprijs",
    "quantity": "Quantity",
    "debtor": "Debtor",
    "date": "Date",
    "currency": "Currency",
}
# FbItemArticle VaTp values of items with article dimensions, as codes and as AFAS's labels.
DIMENSION_ITEM_TYPES = {"3", "4", "1 artikeldimensie", "2 artikeldimensies"}
