"""Mutating and validating admission webhooks, called over real HTTPS by the admission process.

Each test registers its handlers on the session's webhook server under paths of its own and a
configuration scoped to its namespace; a "probe" webhook in the same configuration tells when
the admission service's informer has the configuration.
"""

from __future__ import annotations

import asyncio
import base64
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from apimachinery.client import RegistryClient
from apimachinery.scheme import default_scheme
from cluster import pki
from kubeproto.registry.v1 import registry_pb2
from services.registry import envelope
from services.registry.etcd import Etcd
from tests.contract.admission.conftest import (
    ETCD_PREFIX,
    TEST_LABEL,
    Admit,
    WebhookServer,
    admit_request,
    denied,
    eventually,
    hook,
    pod,
    request_for,
    review_response,
    typed,
    wait_webhook_active,
)
from tests.support.objects import build

Configurations = Callable[..., Awaitable[str]]


def _path(what: str) -> str:
    return f"{what}-{uuid.uuid4().hex[:8]}"


def _patch(ops: list[dict[str, Any]]) -> dict[str, Any]:
    return {"patch": base64.b64encode(json.dumps(ops).encode()).decode(), "patchType": "JSONPatch"}


def _add_label(review: dict[str, Any], key: str, value: str) -> list[dict[str, Any]]:
    labels = review["request"]["object"]["metadata"].get("labels")
    if labels is None:
        return [{"op": "add", "path": "/metadata/labels", "value": {key: value}}]
    return [{"op": "add", "path": f"/metadata/labels/{key}", "value": value}]


def _labels(obj: Any) -> dict[str, str]:
    return dict(obj.metadata.labels)


def _mutation_annotations(annotations: dict[str, str], webhook: str) -> dict[str, dict[str, Any]]:
    return {k: json.loads(v) for k, v in annotations.items()
            if k.startswith("mutation.webhook.admission.k8s.io/") and json.loads(v)["webhook"] == webhook}


def _probe_and(webhooks: WebhookServer, namespace: str, *rest: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """A probe webhook first, then the webhooks under test: once the probe is called, all are in place."""
    probe = _path("probe")
    webhooks.add(probe, _allow)
    return [hook(f"probe-{probe}.example.com", webhooks.url(probe), webhooks.ca_bundle, namespace), *rest], probe


async def _allow(review: dict[str, Any]) -> dict[str, Any]:
    return review_response(review)


async def test_json_patch_is_applied(admit: Admit, webhooks: WebhookServer, configurations: Configurations,
                                     ns: str) -> None:
    path = _path("patch")

    async def patch_labels(review: dict[str, Any]) -> dict[str, Any]:
        return review_response(review, **_patch(_add_label(review, "patched", "yes")))

    webhooks.add(path, patch_labels)
    config = await configurations("MutatingWebhookConfiguration",
                                  [hook("patcher.example.com", webhooks.url(path), webhooks.ca_bundle, ns)])
    await wait_webhook_active(admit, webhooks, path, ns)

    response = await admit("CREATE", pod("web", ns))
    out = typed(response)
    assert _labels(out) == {"patched": "yes"}
    assert out.spec.serviceAccountName == "default"  # the in-tree plugins ran too

    [call] = webhooks.calls[path]
    assert call["apiVersion"] == "admission.k8s.io/v1" and call["kind"] == "AdmissionReview"
    assert call["query"] == {"timeout": "10s"}
    request = call["request"]
    assert request["kind"] == {"group": "", "version": "v1", "kind": "Pod"}
    assert request["resource"] == {"group": "", "version": "v1", "resource": "pods"}
    assert request["requestKind"] == request["kind"] and request["requestResource"] == request["resource"]
    assert (request["operation"], request["namespace"], request["name"]) == ("CREATE", ns, "web")
    assert request["userInfo"]["username"] == "kubernetes-admin"
    assert request["object"]["metadata"]["name"] == "web"
    # The webhook sees what the in-tree mutating plugins made of the pod.
    assert request["object"]["spec"]["serviceAccountName"] == "default"
    assert request["oldObject"] is None and request["dryRun"] is False
    assert request["options"] == {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}

    [(key, value)] = _mutation_annotations(dict(response.audit_annotations), "patcher.example.com").items()
    assert key.startswith("mutation.webhook.admission.k8s.io/round_0_index_")
    assert value == {"configuration": config, "webhook": "patcher.example.com", "mutated": True}
    patches = [json.loads(v) for k, v in response.audit_annotations.items() if k.startswith("patch.webhook")]
    assert patches == [{"configuration": config, "webhook": "patcher.example.com",
                        "patch": [{"op": "add", "path": "/metadata/labels", "value": {"patched": "yes"}}],
                        "patchType": "JSONPatch"}]


async def test_validating_webhooks_see_the_mutated_object(admit: Admit, webhooks: WebhookServer,
                                                          configurations: Configurations, ns: str) -> None:
    mutate, validate = _path("mutate"), _path("validate")
    webhooks.add(mutate, lambda r: _respond(review_response(r, **_patch(_add_label(r, "stage", "mutated")))))
    webhooks.add(validate, _allow)
    await configurations("MutatingWebhookConfiguration",
                         [hook("m.example.com", webhooks.url(mutate), webhooks.ca_bundle, ns)])
    await configurations("ValidatingWebhookConfiguration",
                         [hook("v.example.com", webhooks.url(validate), webhooks.ca_bundle, ns)])
    await wait_webhook_active(admit, webhooks, validate, ns)
    await wait_webhook_active(admit, webhooks, mutate, ns)
    await admit("CREATE", pod("web", ns))
    [seen] = webhooks.calls[validate]
    assert seen["request"]["object"]["metadata"]["labels"] == {"stage": "mutated"}


async def _respond(value: dict[str, Any]) -> dict[str, Any]:
    return value


async def test_validating_denial_keeps_the_webhook_status(admit: Admit, webhooks: WebhookServer,
                                                          configurations: Configurations, ns: str) -> None:
    path = _path("deny")

    async def deny(review: dict[str, Any]) -> dict[str, Any]:
        name = review["request"]["object"]["metadata"]["name"]
        if name == "plain":
            return review_response(review, allowed=False)
        return review_response(review, allowed=False,
                               status={"code": 403, "reason": "Forbidden", "message": f"no pods named {name}"})

    webhooks.add(path, deny)
    await configurations("ValidatingWebhookConfiguration",
                         [hook("deny.example.com", webhooks.url(path), webhooks.ca_bundle, ns)])
    await wait_webhook_active(admit, webhooks, path, ns)

    err = await denied(admit("CREATE", pod("evil", ns)))
    assert err.plugin == "ValidatingAdmissionWebhook"
    assert (err.status.code, err.status.reason) == (403, "Forbidden")
    assert err.status.message == 'admission webhook "deny.example.com" denied the request: no pods named evil'
    err = await denied(admit("CREATE", pod("plain", ns)))
    # No code from the webhook: at least 400; no message: said so.
    assert (err.status.code, err.status.reason) == (400, "")
    assert err.status.message == 'admission webhook "deny.example.com" denied the request without explanation'


async def test_mutating_denial(admit: Admit, webhooks: WebhookServer, configurations: Configurations,
                               ns: str) -> None:
    path = _path("mdeny")

    async def deny(review: dict[str, Any]) -> dict[str, Any]:
        return review_response(review, allowed=False, status={"code": 422, "reason": "Invalid", "message": "nope"})

    webhooks.add(path, deny)
    await configurations("MutatingWebhookConfiguration",
                         [hook("mdeny.example.com", webhooks.url(path), webhooks.ca_bundle, ns)])
    await wait_webhook_active(admit, webhooks, path, ns)
    err = await denied(admit("CREATE", pod("x", ns)))
    assert err.plugin == "MutatingAdmissionWebhook"
    assert (err.status.code, err.status.reason, err.status.message) == (
        422, "Invalid", 'admission webhook "mdeny.example.com" denied the request: nope')


async def _slow(review: dict[str, Any]) -> dict[str, Any]:
    await asyncio.sleep(4)
    return review_response(review)


async def test_timeout_under_fail_is_an_internal_error(admit: Admit, webhooks: WebhookServer,
                                                       configurations: Configurations, ns: str) -> None:
    path = _path("slow")
    webhooks.add(path, _slow)
    await configurations("ValidatingWebhookConfiguration",
                         [hook("slow.example.com", webhooks.url(path), webhooks.ca_bundle, ns, timeoutSeconds=1,
                               failurePolicy="Fail")])
    await wait_webhook_active(admit, webhooks, path, ns)
    started = time.monotonic()
    err = await denied(admit("CREATE", pod("web", ns)))
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 3.0, elapsed
    assert err.plugin == "ValidatingAdmissionWebhook"
    assert (err.status.code, err.status.reason) == (500, "InternalError")
    reason = (f'failed calling webhook "slow.example.com": failed to call webhook: '
              f'Post "{webhooks.url(path)}?timeout=1s": context deadline exceeded')
    assert err.status.message == f"Internal error occurred: {reason}"
    assert [c.message for c in err.status.causes] == [reason]


async def test_timeout_under_ignore_is_admitted(admit: Admit, webhooks: WebhookServer,
                                                configurations: Configurations, ns: str) -> None:
    path = _path("slow")
    webhooks.add(path, _slow)
    await configurations("MutatingWebhookConfiguration",
                         [hook("lazy.example.com", webhooks.url(path), webhooks.ca_bundle, ns, timeoutSeconds=1,
                               failurePolicy="Ignore")])
    await wait_webhook_active(admit, webhooks, path, ns)
    started = time.monotonic()
    response = await admit("CREATE", pod("web", ns))
    assert 0.9 < time.monotonic() - started < 3.0
    assert len(webhooks.calls[path]) == 1  # it was called, and it timed out
    failed_open = {k: v for k, v in response.audit_annotations.items() if k.startswith("failed-open.")}
    [(key, value)] = failed_open.items()
    assert key.startswith("failed-open.mutation.webhook.admission.k8s.io/round_0_index_")
    assert value == "lazy.example.com"


async def test_object_selector_non_match_skips_the_webhook(admit: Admit, webhooks: WebhookServer,
                                                           configurations: Configurations, ns: str) -> None:
    path = _path("selective")
    webhooks.add(path, lambda r: _respond(review_response(r, allowed=False, status={"message": "caught"})))
    hooks, probe = _probe_and(webhooks, ns, hook(
        "selective.example.com", webhooks.url(path), webhooks.ca_bundle, ns,
        objectSelector={"matchLabels": {"team": "a"}}))
    await configurations("ValidatingWebhookConfiguration", hooks)
    await wait_webhook_active(admit, webhooks, probe, ns)

    await admit("CREATE", pod("unlabelled", ns))
    other = pod("other-team", ns)
    other.metadata.labels["team"] = "b"
    await admit("CREATE", other)
    assert webhooks.calls[path] == []
    mine = pod("team-a", ns)
    mine.metadata.labels["team"] = "a"
    err = await denied(admit("CREATE", mine))
    assert err.status.message == 'admission webhook "selective.example.com" denied the request: caught'
    # On update, the old object's labels count as well.
    old = pod("leaving", ns)
    old.metadata.labels["team"] = "a"
    old.metadata.resourceVersion = "9"
    new = pod("leaving", ns)
    new.metadata.resourceVersion = "9"
    await denied(admit("UPDATE", new, old=old))
    assert len(webhooks.calls[path]) == 2


async def test_namespace_selector_and_rules_decide_who_is_called(admit: Admit, webhooks: WebhookServer,
                                                                 configurations: Configurations, ns: str) -> None:
    elsewhere, deletes, status = _path("elsewhere"), _path("deletes"), _path("status")
    for p in (elsewhere, deletes, status):
        webhooks.add(p, _allow)
    pods_rule = {"apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}
    hooks, probe = _probe_and(
        webhooks, ns,
        {**hook("elsewhere.example.com", webhooks.url(elsewhere), webhooks.ca_bundle, ns),
         "namespaceSelector": {"matchLabels": {TEST_LABEL: ns, "tier": "gold"}}},
        hook("deletes.example.com", webhooks.url(deletes), webhooks.ca_bundle, ns,
             rules=[{**pods_rule, "operations": ["DELETE"]}]),
        hook("status.example.com", webhooks.url(status), webhooks.ca_bundle, ns,
             rules=[{**pods_rule, "operations": ["*"], "resources": ["pods/status"], "scope": "Namespaced"}]))
    await configurations("ValidatingWebhookConfiguration", hooks)
    await wait_webhook_active(admit, webhooks, probe, ns)

    p = pod("web", ns)
    await admit("CREATE", p)
    assert webhooks.calls[elsewhere] == [] and webhooks.calls[deletes] == [] and webhooks.calls[status] == []
    p.metadata.resourceVersion = "5"
    await admit("UPDATE", p, old=p, subresource="status")
    assert len(webhooks.calls[status]) == 1
    assert webhooks.calls[status][0]["request"]["subResource"] == "status"
    await admit("DELETE", None, old=p)
    [deleted] = webhooks.calls[deletes]
    assert deleted["request"]["object"] is None
    assert deleted["request"]["oldObject"]["metadata"]["name"] == "web"
    assert deleted["request"]["options"] == {"kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1"}
    assert webhooks.calls[elsewhere] == []


async def _store_directly(client: RegistryClient, etcd_endpoints: list[str], kind_name: str, resource: str,
                          body: dict[str, Any]) -> None:
    """Write a configuration the way an older release stored it: v1 validation now refuses
    sideEffects Some, so it can only be met in storage, never created through the API."""
    scheme = default_scheme()
    kind, msg, _ = scheme.from_json(body)
    msg.metadata.uid = str(uuid.uuid4())
    msg.metadata.creationTimestamp.seconds = int(time.time())
    etcd = Etcd(etcd_endpoints)
    try:
        key = f"{ETCD_PREFIX}/admissionregistration.k8s.io/{resource}/{msg.metadata.name}".encode()
        created, _ = await etcd.create(key, envelope.encode(scheme.to_object(kind, msg)))
        assert created
    finally:
        await etcd.close()


async def test_dry_run_with_side_effects_is_refused(admit: Admit, client: RegistryClient, etcd: Any,
                                                    webhooks: WebhookServer, ns: str) -> None:
    path = _path("effects")
    webhooks.add(path, _allow)
    name = f"legacy-{uuid.uuid4().hex[:8]}"
    hooks, probe = _probe_and(webhooks, ns, hook(
        "effects.example.com", webhooks.url(path), webhooks.ca_bundle, ns, sideEffects="Some",
        failurePolicy="Ignore"))
    await _store_directly(client, etcd.endpoints, "ValidatingWebhookConfiguration", "validatingwebhookconfigurations",
                          {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                           "metadata": {"name": name}, "webhooks": hooks})
    kind = client.kind("admissionregistration.k8s.io", "v1", "validatingwebhookconfigurations")
    try:
        await wait_webhook_active(admit, webhooks, probe, ns)
        await admit("CREATE", pod("real", ns))  # not a dry run: called
        assert len(webhooks.calls[path]) == 1
        err = await denied(admit("CREATE", pod("dry", ns), dry_run=True))
        # Not a calling failure: failurePolicy Ignore does not let it through.
        assert err.plugin == "ValidatingAdmissionWebhook"
        assert (err.status.code, err.status.reason) == (400, "BadRequest")
        assert err.status.message == 'admission webhook "effects.example.com" does not support dry run'
        assert len(webhooks.calls[path]) == 1
    finally:
        await client.delete(kind, name)


async def test_dry_run_reaches_webhooks_without_side_effects(admit: Admit, webhooks: WebhookServer,
                                                             configurations: Configurations, ns: str) -> None:
    path = _path("dry")
    webhooks.add(path, _allow)
    await configurations("MutatingWebhookConfiguration", [
        hook("dry.example.com", webhooks.url(path), webhooks.ca_bundle, ns, sideEffects="NoneOnDryRun")])
    await wait_webhook_active(admit, webhooks, path, ns)
    await admit("CREATE", pod("dry", ns), dry_run=True)
    [call] = webhooks.calls[path]
    assert call["request"]["dryRun"] is True


async def test_unknown_authority_and_refused_connections(admit: Admit, webhooks: WebhookServer,
                                                         configurations: Configurations,
                                                         other_ca: pki.CertificateAuthority, ns: str) -> None:
    path = _path("untrusted")
    webhooks.add(path, _allow)
    hooks, probe = _probe_and(webhooks, ns, hook("untrusted.example.com", webhooks.url(path),
                                                       other_ca.cert_pem, ns))
    await configurations("ValidatingWebhookConfiguration", hooks)
    await wait_webhook_active(admit, webhooks, probe, ns)
    err = await denied(admit("CREATE", pod("web", ns)))
    assert (err.status.code, err.status.reason) == (500, "InternalError")
    assert err.status.message == (
        'Internal error occurred: failed calling webhook "untrusted.example.com": failed to call webhook: '
        f'Post "{webhooks.url(path)}?timeout=10s": tls: failed to verify certificate: '
        "x509: certificate signed by unknown authority")
    assert webhooks.calls[path] == []


async def test_refused_connection_fails_closed(admit: Admit, webhooks: WebhookServer,
                                               configurations: Configurations, ns: str) -> None:
    hooks, probe = _probe_and(webhooks, ns, hook("gone.example.com", "https://127.0.0.1:1/gone",
                                                       webhooks.ca_bundle, ns))
    await configurations("MutatingWebhookConfiguration", hooks)
    await wait_webhook_active(admit, webhooks, probe, ns)
    err = await denied(admit("CREATE", pod("web", ns)))
    assert err.plugin == "MutatingAdmissionWebhook"
    assert err.status.message == (
        'Internal error occurred: failed calling webhook "gone.example.com": failed to call webhook: '
        'Post "https://127.0.0.1:1/gone?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused')


async def test_reinvocation_if_needed(admit: Admit, webhooks: WebhookServer, configurations: Configurations,
                                      ns: str) -> None:
    first, second, never = _path("first"), _path("second"), _path("never")
    webhooks.add(first, lambda r: _respond(review_response(r, **_patch(_add_label(r, "first", "1")))))
    webhooks.add(second, lambda r: _respond(review_response(r, **_patch(_add_label(r, "second", "2")))))
    webhooks.add(never, lambda r: _respond(review_response(r, **_patch(_add_label(r, "never", "3")))))
    await configurations("MutatingWebhookConfiguration", [
        hook("never.example.com", webhooks.url(never), webhooks.ca_bundle, ns, reinvocationPolicy="Never"),
        hook("first.example.com", webhooks.url(first), webhooks.ca_bundle, ns, reinvocationPolicy="IfNeeded"),
        hook("second.example.com", webhooks.url(second), webhooks.ca_bundle, ns, reinvocationPolicy="IfNeeded"),
    ])
    await wait_webhook_active(admit, webhooks, second, ns)
    response = await admit("CREATE", pod("web", ns))
    assert _labels(typed(response)) == {"never": "3", "first": "1", "second": "2"}
    # "second" changed the object after "first" saw it: "first" (IfNeeded) runs again and sees the change;
    # "second" was last, "never" is Never: each once.
    assert len(webhooks.calls[first]) == 2
    assert webhooks.calls[first][1]["request"]["object"]["metadata"]["labels"]["second"] == "2"
    assert len(webhooks.calls[second]) == 1 and len(webhooks.calls[never]) == 1
    rounds = sorted(k.split("/")[1].rsplit("_index_", 1)[0]
                    for k in _mutation_annotations(dict(response.audit_annotations), "first.example.com"))
    assert rounds == ["round_0", "round_1"]


async def test_validating_webhooks_run_in_parallel(admit: Admit, webhooks: WebhookServer,
                                                   configurations: Configurations, ns: str) -> None:
    paths = [_path("par") for _ in range(3)]

    async def one_second(review: dict[str, Any]) -> dict[str, Any]:
        await asyncio.sleep(1)
        return review_response(review, warnings=["slow but fine"], auditAnnotations={"checked": "yes"})

    for p in paths:
        webhooks.add(p, one_second)
    hooks, probe = _probe_and(webhooks, ns, *[
        hook(f"par{i}.example.com", webhooks.url(p), webhooks.ca_bundle, ns, timeoutSeconds=5)
        for i, p in enumerate(paths)])
    await configurations("ValidatingWebhookConfiguration", hooks)
    await wait_webhook_active(admit, webhooks, probe, ns)
    started = time.monotonic()
    response = await admit("CREATE", pod("web", ns))
    elapsed = time.monotonic() - started
    assert 0.9 < elapsed < 2.0, elapsed  # three one-second webhooks, at once
    assert all(len(webhooks.calls[p]) == 1 for p in paths)
    assert list(response.warnings) == ["slow but fine"] * 3
    assert {k: v for k, v in response.audit_annotations.items() if k.endswith("/checked")} == {
        f"par{i}.example.com/checked": "yes" for i in range(3)}


async def test_invalid_responses_are_calling_failures(admit: Admit, webhooks: WebhookServer,
                                                      configurations: Configurations, ns: str) -> None:
    path = _path("liar")

    async def wrong_uid(review: dict[str, Any]) -> dict[str, Any]:
        answer = review_response(review)
        answer["response"]["uid"] = "wrong"
        return answer

    webhooks.add(path, wrong_uid)
    hooks, probe = _probe_and(webhooks, ns, hook("liar.example.com", webhooks.url(path), webhooks.ca_bundle, ns))
    await configurations("ValidatingWebhookConfiguration", hooks)
    await wait_webhook_active(admit, webhooks, probe, ns)
    err = await denied(admit("CREATE", pod("web", ns)))
    uid = webhooks.calls[path][-1]["request"]["uid"]
    assert err.status.message == ('Internal error occurred: failed calling webhook "liar.example.com": received '
                                  f'invalid webhook response: expected response.uid="{uid}", got "wrong"')


async def test_custom_resources_are_sent_as_json(admit: Admit, webhooks: WebhookServer,
                                                 configurations: Configurations, ns: str, stub: Any) -> None:
    path = _path("crd")

    async def patch_spec(review: dict[str, Any]) -> dict[str, Any]:
        return review_response(review, **_patch([{"op": "add", "path": "/spec/size", "value": 3}]))

    webhooks.add(path, patch_spec)
    await configurations("MutatingWebhookConfiguration", [hook(
        "crd.example.com", webhooks.url(path), webhooks.ca_bundle, ns,
        rules=[{"operations": ["CREATE"], "apiGroups": ["example.com"], "apiVersions": ["v1"],
                "resources": ["widgets"]}])])

    def widget(name: str) -> registry_pb2.Object:
        body = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": name, "namespace": ns},
                "spec": {"color": "blue"}}
        return registry_pb2.Object(api_version="example.com/v1", kind="Widget", raw=json.dumps(body).encode(),
                                   content_type="application/json")

    async def patched() -> dict[str, Any] | None:
        response = await admit_request(stub, request_for("CREATE", namespace=ns, name="w",
                                                         resource=("example.com", "v1", "widgets"), raw=widget("w")))
        out = json.loads(response.object.raw)
        return out if out["spec"].get("size") == 3 else None

    out = await eventually(patched)
    assert out["spec"] == {"color": "blue", "size": 3}
    assert webhooks.calls[path][-1]["request"]["object"]["spec"] == {"color": "blue"}


async def test_webhook_configurations_themselves_are_exempt(admit: Admit, webhooks: WebhookServer,
                                                            configurations: Configurations, ns: str) -> None:
    path = _path("everything")
    webhooks.add(path, lambda r: _respond(review_response(r, allowed=False)))
    # Every operation, group and version; the resources kept to two, as the webhook is cluster-wide.
    everything = {"operations": ["*"], "apiGroups": ["*"], "apiVersions": ["*"],
                  "resources": ["validatingwebhookconfigurations", "storageclasses"]}
    hooks, probe = _probe_and(webhooks, ns, {
        **hook("everything.example.com", webhooks.url(path), webhooks.ca_bundle, ns, rules=[everything]),
        "namespaceSelector": {}})
    await configurations("ValidatingWebhookConfiguration", hooks)
    await wait_webhook_active(admit, webhooks, probe, ns)
    config = build({"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                    "metadata": {"name": "another"}, "webhooks": []})
    await admit("CREATE", config)  # never sent to any webhook
    sc = build({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "x"},
                "provisioner": "example.com/none"})
    err = await denied(admit("CREATE", sc))  # cluster-scoped, not exempt
    assert err.status.message == 'admission webhook "everything.example.com" denied the request without explanation'
