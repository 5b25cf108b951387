"""Create: server-owned metadata, generateName, AlreadyExists, and bad input that writes nothing."""

from __future__ import annotations

import pytest

from apimachinery.errors import StatusError
from kubeproto.registry.v1 import registry_pb2
from tests.support.objects import configmap


async def count(client, kind, ns) -> int:
    items, _, _ = await client.list(kind, ns)
    return len(items)


async def test_create_sets_server_owned_metadata(client, kind, ns, obj):
    sent = obj(configmap("a", data={"k": "v"}, uid="forged", resourceVersion="0", generation=7,
                         creationTimestamp="2001-01-01T00:00:00Z", deletionTimestamp="2001-01-01T00:00:00Z"))
    out = await client.create(kind("configmaps"), sent, namespace=ns)
    meta = out.metadata
    assert meta.uid and meta.uid != "forged"
    assert meta.creationTimestamp.seconds > 978307200
    assert not meta.HasField("deletionTimestamp")
    assert meta.generation == 1
    assert int(meta.resourceVersion) > 0
    assert meta.namespace == ns
    got = await client.get(kind("configmaps"), "a", ns)
    assert got == out


async def test_a_resource_version_on_create_is_refused(client, kind, ns, obj):
    """As upstream's storage: an object read back and sent again is refused, after validation, with upstream's
    message (upstream's code is a 500, a plain storage error; ours a 400); "0" means no version and is accepted."""
    with pytest.raises(StatusError) as err:
        await client.create(kind("configmaps"), obj(configmap("rv", resourceVersion="12")), namespace=ns)
    assert (err.value.code, err.value.reason) == (400, "BadRequest")  # upstream: 500, but bad input never is
    assert err.value.message == "resourceVersion should not be set on objects to be created"
    assert await count(client, kind("configmaps"), ns) == 0
    with pytest.raises(StatusError) as err:
        await client.create(kind("configmaps"), obj(configmap("Bad", resourceVersion="12")), namespace=ns)
    assert err.value.code == 422


async def test_generate_name_yields_unique_names(client, kind, ns, obj):
    names = set()
    for _ in range(20):
        out = await client.create(kind("configmaps"), obj(configmap(generateName="gen-")), namespace=ns)
        assert out.metadata.name.startswith("gen-") and len(out.metadata.name) == 9
        names.add(out.metadata.name)
    assert len(names) == 20


async def test_duplicate_is_already_exists(client, kind, ns, obj):
    await client.create(kind("configmaps"), obj(configmap("dup")), namespace=ns)
    with pytest.raises(StatusError) as err:
        await client.create(kind("configmaps"), obj(configmap("dup", data={"x": "y"})), namespace=ns)
    e = err.value
    assert (e.code, e.reason, e.name, e.kind) == (409, "AlreadyExists", "dup", "configmaps")
    assert e.message == 'configmaps "dup" already exists'
    assert dict((await client.get(kind("configmaps"), "dup", ns)).data) == {}


async def test_namespace_mismatch_is_bad_request(client, kind, ns, obj):
    with pytest.raises(StatusError) as err:
        await client.create(kind("configmaps"), obj(configmap("m", namespace="other")), namespace=ns)
    assert (err.value.code, err.value.reason) == (400, "BadRequest")
    assert "does not match the namespace" in err.value.message
    assert await count(client, kind("configmaps"), ns) == 0


@pytest.mark.parametrize("name", ["Upper", "a/b", "..", "a..b/", "x" * 254, "-lead", "trail-", "sp ace"])
async def test_invalid_names_are_refused_and_nothing_is_written(client, kind, ns, obj, name):
    with pytest.raises(StatusError) as err:
        await client.create(kind("configmaps"), obj(configmap(name)), namespace=ns)
    assert (err.value.code, err.value.reason) == (422, "Invalid")
    assert any(c.field == "metadata.name" for c in err.value.causes)
    assert await count(client, kind("configmaps"), ns) == 0


async def test_malformed_protobuf_is_bad_request(client, kind, ns):
    bad = registry_pb2.Object(api_version="v1", kind="ConfigMap", raw=b"\x0a\xff\xff\xff",
                              content_type="application/vnd.kubernetes.protobuf")
    with pytest.raises(StatusError) as err:
        await client.create_object(kind("configmaps"), ns, bad)
    assert (err.value.code, err.value.reason) == (400, "BadRequest")
    assert "malformed protobuf" in err.value.message
    assert await count(client, kind("configmaps"), ns) == 0


async def test_kind_that_does_not_match_the_resource(client, kind, ns, obj, scheme):
    secret = scheme.to_object(kind("secrets"), obj({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}))
    with pytest.raises(StatusError) as err:
        await client.create_object(kind("configmaps"), ns, secret)
    assert err.value.code == 400


async def test_unknown_kind_and_resource(client, ns):
    unknown = registry_pb2.Object(api_version="v1", kind="Gizmo", raw=b"", content_type="application/vnd.kubernetes.protobuf")
    req = registry_pb2.CreateRequest(resource=registry_pb2.GroupVersionResource(version="v1", resource="gizmos"),
                                     namespace=ns, object=unknown)
    with pytest.raises(StatusError) as err:
        await client._unary(client.stub.Create, req)
    assert (err.value.code, err.value.reason) == (404, "NotFound")
    req.resource.resource = "configmaps"
    with pytest.raises(StatusError) as err:
        await client._unary(client.stub.Create, req)
    assert err.value.code == 400 and "Gizmo" in err.value.message


async def test_cluster_scoped_kind_with_a_namespace_is_refused(client, kind, obj):
    role = obj({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "cr-ns"}})
    with pytest.raises(StatusError) as err:
        await client.create(kind("clusterroles", "rbac.authorization.k8s.io"), role, namespace="default")
    assert err.value.code == 400


async def test_secret_string_data_lands_in_data(client, kind, ns, obj):
    out = await client.create(kind("secrets"), obj({
        "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
        "data": {"a": "YQ=="}, "stringData": {"b": "bee", "a": "override"}}), namespace=ns)
    assert dict(out.data) == {"a": b"override", "b": b"bee"}
    assert not out.stringData


async def test_dry_run_writes_nothing(client, kind, ns, obj):
    out = await client.create(kind("configmaps"), obj(configmap("dry")), namespace=ns, dry_run=True)
    assert out.metadata.name == "dry" and out.metadata.uid
    assert not out.metadata.HasField("resourceVersion")  # not stored, so no version, not an empty one
    assert await count(client, kind("configmaps"), ns) == 0


async def test_object_over_the_size_limit_is_refused(client, kind, ns, obj):
    # Roles have no size rule of their own, so this one reaches the storage limit (etcd's 1.5 MiB).
    names = [f"{i:06d}" + "x" * 100 for i in range(17000)]
    role = obj({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "big"},
                "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"], "resourceNames": names}]})
    roles = kind("roles", "rbac.authorization.k8s.io")
    with pytest.raises(StatusError) as err:
        await client.create(roles, role, namespace=ns)
    assert (err.value.code, err.value.reason) == (413, "RequestEntityTooLarge")
    assert "too large" in err.value.message
    assert await count(client, roles, ns) == 0


async def test_an_invalid_object_of_a_group_names_its_qualified_kind(client, kind, ns, obj):
    """apierrors.NewInvalid prints the GroupKind: Role.rbac.authorization.k8s.io, while core kinds stay bare."""
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"},
            "rules": [{"apiGroups": [""], "resources": ["pods"]}]}  # no verbs
    with pytest.raises(StatusError) as err:
        await client.create(kind("roles", "rbac.authorization.k8s.io"), obj(role), namespace=ns)
    assert err.value.message.startswith('Role.rbac.authorization.k8s.io "r" is invalid: rules[0].verbs: '), err.value
    with pytest.raises(StatusError) as err:
        await client.create(kind("configmaps"), obj(configmap("Bad")), namespace=ns)
    assert err.value.message.startswith('ConfigMap "Bad" is invalid: metadata.name: ')


async def test_a_namespace_is_labelled_with_its_name_generated_or_not(client, kind, obj):
    """The namespace strategy's Canonicalize: the label follows the name, which generateName makes only here;
    a label the client set to something else is overwritten, on create and on update."""
    nss = kind("namespaces")
    generated = await client.create(nss, obj({"apiVersion": "v1", "kind": "Namespace",
                                              "metadata": {"generateName": "gen-"}}))
    name = generated.metadata.name
    assert name.startswith("gen-") and dict(generated.metadata.labels) == {"kubernetes.io/metadata.name": name}
    named = await client.create(nss, obj({"apiVersion": "v1", "kind": "Namespace", "metadata": {
        "name": f"{name}-x", "labels": {"kubernetes.io/metadata.name": "other", "team": "a"}}}))
    assert dict(named.metadata.labels) == {"kubernetes.io/metadata.name": f"{name}-x", "team": "a"}
    named.metadata.labels["kubernetes.io/metadata.name"] = "again"
    updated = await client.update(nss, named)
    assert updated.metadata.labels["kubernetes.io/metadata.name"] == f"{name}-x"
