"""RBAC: the authorizer, its rule resolver, escalation checks, bootstrap policy and aggregation."""
