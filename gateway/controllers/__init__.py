"""Controllers that run in the gateway process beside the API."""
