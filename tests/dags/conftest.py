"""The DAG tests use the same private include/ copy as the config tests."""

from tests.config.conftest import Include, include  # noqa: F401  (fixture re-export)
