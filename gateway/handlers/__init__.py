"""Handlers of authorized requests: the REST verbs, reviews, discovery and non-resource paths."""
