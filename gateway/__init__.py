"""The HTTP face of the API server."""
