"""Server-side apply and metadata.managedFields, as kube-apiserver keeps them."""

from gateway.fieldmanager.manager import apply, conflict_error, update

__all__ = ["apply", "conflict_error", "update"]
