"""The authz service: may this user do this (RBAC, ABAC, AlwaysAllow/AlwaysDeny, Webhook)."""
