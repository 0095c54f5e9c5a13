"""The flows of a tenant, one package each; a flow imports no orchestration."""
