"""Watch responses as kube-apiserver frames them."""

from __future__ import annotations

from tests.e2e.conftest import Cluster


def test_a_converted_watch_is_labelled_by_its_framing_only(cluster: Cluster, ns: str) -> None:
    """serveWatch writes the stream serializer's media type: application/json for a Table watch too."""
    base = f"/api/v1/namespaces/{ns}/configmaps?watch=1&timeoutSeconds=1"
    for accept in ("application/json;as=Table;v=v1;g=meta.k8s.io",
                   "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io", "application/json"):
        resp = cluster.http("GET", base, headers={"Accept": accept})
        assert resp.status == 200
        assert resp.headers["Content-Type"] == "application/json", accept
    proto = cluster.http("GET", base, headers={"Accept": "application/vnd.kubernetes.protobuf;as=Table;v=v1;"
                                                          "g=meta.k8s.io, application/vnd.kubernetes.protobuf"})
    assert proto.headers["Content-Type"] == "application/vnd.kubernetes.protobuf;stream=watch"
    # kubectl get -w reads such a stream as before.
    cluster.kubectl("create", "configmap", "seen", "-n", ns)
    out = cluster.kubectl("get", "configmaps", "-n", ns, "-w", "--request-timeout=2s", check=False)
    assert "seen" in out.stdout, out.stderr
