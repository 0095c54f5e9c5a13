"""A stateful, strict emulator of the AFAS Profit REST API (``/ProfitRestServices``).

See ``app`` for the routes and the AFAS behaviour, ``admin`` for the admin API, ``query`` for GetConnector
filters and paging, ``validate``/``relations``/``sales`` for the UpdateConnectors, ``stock`` and ``articles``
for the stock and article GetConnectors, ``countries`` for AFAS's country codes, and
``python -m emulators.afas --help`` to run it.
"""

from emulators.afas.app import create_app
from emulators.afas.catalogue import Catalogue
from emulators.afas.config import DEMO_TOKEN_DATA, DIRECT_INVOICE_CONNECTOR, AfasConfig, AppConnector
from emulators.afas.countries import AFAS_COUNTRIES, ISO_TO_AFAS, iso_to_afas

__all__ = [
    "AFAS_COUNTRIES",
    "DEMO_TOKEN_DATA",
    "DIRECT_INVOICE_CONNECTOR",
    "ISO_TO_AFAS",
    "AfasConfig",
    "AppConnector",
    "Catalogue",
    "create_app",
    "iso_to_afas",
]
