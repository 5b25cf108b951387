"""Prometheus metrics of the authn service, named after kube-apiserver's where it has one."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

ATTEMPTS = Counter("authentication_attempts", "Authentication attempts by result", ["result", "authenticator"])
DURATION = Histogram("authentication_duration_seconds", "Time to reach an authentication decision", ["result"],
                     buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1))
TOKEN_CACHE = Counter("authentication_token_cache_request", "Token cache lookups by status", ["status"])
TOKENS_ISSUED = Counter("serviceaccount_tokens_issued", "TokenRequest tokens minted", ["bound_kind"])
