"""Side jobs around the flows: retention, reconciliation, notifications."""
