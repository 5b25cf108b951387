"""Fixtures every suite shares: real etcd members on free ports (tests/support/etcd_fixtures.py)."""

pytest_plugins = ["tests.support.etcd_fixtures"]
