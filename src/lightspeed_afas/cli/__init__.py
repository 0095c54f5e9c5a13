"""The command line: python -m lightspeed_afas validate|pools|doctor|log."""
