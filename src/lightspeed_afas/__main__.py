"""``python -m lightspeed_afas``: see ``lightspeed_afas.cli.main``."""

from lightspeed_afas.cli.main import main

raise SystemExit(main())
