"""``python -m lightspeed_afas``: see ``lightspeed_afas.cli``."""

from lightspeed_afas.cli import main

raise SystemExit(main())
