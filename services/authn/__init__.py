"""The authn service: who is calling.

x509 client certificates, static bearer tokens, service-account JWTs (bound and
legacy), bootstrap tokens, front-proxy request headers and anonymous requests,
composed as kube-apiserver composes them, behind the Authenticator gRPC contract.
"""
