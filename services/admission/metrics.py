"""Prometheus metrics, named as kube-apiserver names its admission metrics."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 1.0, 2.5)

# type is "admit" (mutating) or "validate", as upstream's label values.
PLUGIN_DURATION = Histogram(
    "apiserver_admission_controller_admission_duration_seconds",
    "Admission controller latency in seconds, by plugin, operation and step type.",
    ["name", "type", "operation", "rejected"], buckets=_BUCKETS)

WEBHOOK_DURATION = Histogram(
    "apiserver_admission_webhook_admission_duration_seconds",
    "Admission webhook latency in seconds, by webhook name, operation and type.",
    ["name", "type", "operation", "rejected"], buckets=_BUCKETS)

WEBHOOK_REJECTIONS = Counter(
    "apiserver_admission_webhook_rejection_count",
    "Admission webhook rejections, by webhook name, type and error type.",
    ["name", "type", "operation", "error_type", "rejection_code"])

QUOTA_CONFLICTS = Counter(
    "admission_quota_status_conflicts_total",
    "ResourceQuota status updates refused on a stale resourceVersion, then re-read and retried.")


def observe_plugin(name: str, step: str, operation: str, rejected: bool, seconds: float) -> None:
    PLUGIN_DURATION.labels(name, step, operation, "true" if rejected else "false").observe(seconds)


def observe_webhook(name: str, step: str, operation: str, rejected: bool, seconds: float) -> None:
    WEBHOOK_DURATION.labels(name, step, operation, "true" if rejected else "false").observe(seconds)
