"""The server's own tests use its fixture factory like every other test does."""

from tests.kubeapi import kube_api  # noqa: F401
