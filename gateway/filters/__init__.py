"""The filters every request passes before its handler: authn, max in flight, impersonation, authz."""
