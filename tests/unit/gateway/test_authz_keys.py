"""The decision cache's keys: a request and its Attributes meet the same cached decision (impersonation
checks are decided from Attributes, the request itself from its RequestInfo)."""

from __future__ import annotations

import pytest

from gateway.filters.authz import ANY_NAME, attributes, attributes_keys, request_keys, user_key
from gateway.requestinfo import RequestInfo
from kubeproto.authn.v1 import authn_pb2

ALICE = authn_pb2.UserInfo(username="alice", uid="u-1", groups=["devs", "system:authenticated"])

RESOURCE = RequestInfo(path="/apis/apps/v1/namespaces/ns/deployments/web/scale", verb="get",
                       is_resource_request=True, api_group="apps", api_version="v1", namespace="ns",
                       resource="deployments", subresource="scale", name="web")
NON_RESOURCE = RequestInfo(path="/healthz", verb="get")


@pytest.mark.parametrize("info", [RESOURCE, NON_RESOURCE], ids=["resource", "non-resource"])
def test_attributes_meet_the_keys_of_their_request(info: RequestInfo) -> None:
    assert attributes_keys(attributes(ALICE, info)) == request_keys(user_key(ALICE), info)


def test_keys_hold_every_attribute() -> None:
    key, nameless = request_keys(user_key(ALICE), RESOURCE)
    assert key == (user_key(ALICE), "get", True, "ns", "apps", "v1", "deployments", "scale", "web")
    assert nameless == (*key[:-1], ANY_NAME)
    assert request_keys(user_key(ALICE), NON_RESOURCE) == ((user_key(ALICE), "get", False, "/healthz"), None)
