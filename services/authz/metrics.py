"""Prometheus metrics of the authz service, named after kube-apiserver's where it has one."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

DECISIONS = Counter("apiserver_authorization_decisions_total",
                    "Decisions by the authorizer that made them (or none) and their outcome",
                    ["type", "decision"])
WEBHOOK_EVALUATIONS = Counter("apiserver_authorization_webhook_evaluations_total",
                              "Webhook authorizer calls by result (success, timeout, error, canceled)", ["result"])
WEBHOOK_DURATION = Histogram("apiserver_authorization_webhook_duration_seconds",
                             "Webhook authorizer call latency", ["result"],
                             buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
WEBHOOK_CACHE = Counter("authz_webhook_cache_lookups_total", "Webhook authorizer cache lookups", ["result"])
ESCALATION_CHECKS = Counter("authz_escalation_checks_total", "ConfirmNoEscalation calls by outcome",
                            ["resource", "outcome"])
AGGREGATIONS = Counter("authz_clusterrole_aggregations_total", "ClusterRole rules rewritten by aggregation")
