"""The AFAS codebook: payloads, look-ups and messages; the only place AFAS field codes appear."""
