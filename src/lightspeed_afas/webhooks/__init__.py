"""The webhook receiver: Lightspeed's order webhooks make a tenant's orders DAG run now.

``receiver`` is the HTTP app (checks, the answer, the log line), ``trigger`` turns the accepted
webhooks of a tenant into at most one waiting run through Airflow's REST API, ``airflow_api`` is that
API. See docs/architecture.md, "Webhooks", for why a REST trigger and not an asset event.
"""
