"""The one SQLAlchemy ``MetaData`` every ledger table belongs to."""

import sqlalchemy as sa

metadata = sa.MetaData()
