"""Defaulting on decode: the fields kube-apiserver fills when it decodes a request body.

Upstream applies the SetDefaults_* functions of each API group as part of
decoding (so admission, validation, managed fields and storage all see the
defaulted object). These are the ones of the kinds served here, on the
Kubernetes JSON of the object; applying them twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apimachinery.kinds import NAMESPACE_NAME_LABEL

RBAC = "rbac.authorization.k8s.io"
Defaulter = Callable[[dict[str, Any]], None]


def _set(obj: dict[str, Any], key: str, value: Any) -> None:
    if obj.get(key) in (None, ""):
        obj[key] = value


def _secret(obj: dict[str, Any]) -> None:
    _set(obj, "type", "Opaque")


def _image_pull_policy(image: str) -> str:
    """IfNotPresent, unless the image is untagged or :latest (and not pinned by digest)."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    tag = last.rsplit(":", 1)[1] if ":" in last else ""
    return "Always" if tag in ("", "latest") else "IfNotPresent"


def _container(c: dict[str, Any]) -> None:
    _set(c, "terminationMessagePath", "/dev/termination-log")
    _set(c, "terminationMessagePolicy", "File")
    if isinstance(c.get("image"), str):
        _set(c, "imagePullPolicy", _image_pull_policy(c["image"]))
    for port in c.get("ports") or []:
        if isinstance(port, dict):
            _set(port, "protocol", "TCP")


def _pod(obj: dict[str, Any]) -> None:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return
    _set(spec, "restartPolicy", "Always")
    _set(spec, "dnsPolicy", "ClusterFirst")
    _set(spec, "terminationGracePeriodSeconds", 30)
    _set(spec, "schedulerName", "default-scheduler")
    _set(spec, "enableServiceLinks", True)
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for c in spec.get(key) or []:
            if isinstance(c, dict):
                _container(c)



def namespace_name_label(obj: dict[str, Any]) -> None:
    """SetDefaults_Namespace: a named namespace is always labelled with its name (a generated name is
    known only to the registry, which upstream's strategy labels in Canonicalize)."""
    meta = obj.get("metadata")
    if isinstance(meta, dict) and isinstance(meta.get("name"), str) and meta["name"]:
        labels = meta.get("labels")
        meta["labels"] = {**(labels if isinstance(labels, dict) else {}), NAMESPACE_NAME_LABEL: meta["name"]}


def _claim(obj: dict[str, Any]) -> None:
    spec = obj.get("spec")
    if isinstance(spec, dict):
        _set(spec, "volumeMode", "Filesystem")


def _limit_range(obj: dict[str, Any]) -> None:
    """SetDefaults_LimitRangeItem: a Container item's default limit falls back to max, its default
    request to the default limit, then to min; maps left empty are omitted, as upstream's JSON omits them."""
    for item in (obj.get("spec") or {}).get("limits") or []:
        if not isinstance(item, dict) or item.get("type") != "Container":
            continue
        default = dict(item.get("default") or {})
        request = dict(item.get("defaultRequest") or {})
        for name, quantity in (item.get("max") or {}).items():
            default.setdefault(name, quantity)
        for source in (default, item.get("min") or {}):
            for name, quantity in source.items():
                request.setdefault(name, quantity)
        for field, values in (("default", default), ("defaultRequest", request)):
            if values:
                item[field] = values
            else:
                item.pop(field, None)


def _subjects(obj: dict[str, Any]) -> None:
    for s in obj.get("subjects") or []:
        if isinstance(s, dict) and not s.get("apiGroup") and s.get("kind") in ("User", "Group"):
            s["apiGroup"] = RBAC


def _storage_class(obj: dict[str, Any]) -> None:
    _set(obj, "reclaimPolicy", "Delete")
    _set(obj, "volumeBindingMode", "Immediate")


def _webhooks(mutating: bool) -> Defaulter:
    def default(obj: dict[str, Any]) -> None:
        for hook in obj.get("webhooks") or []:
            if not isinstance(hook, dict):
                continue
            _set(hook, "failurePolicy", "Fail")
            _set(hook, "matchPolicy", "Equivalent")
            _set(hook, "timeoutSeconds", 10)
            if hook.get("namespaceSelector") is None:
                hook["namespaceSelector"] = {}
            if hook.get("objectSelector") is None:
                hook["objectSelector"] = {}
            if mutating:
                _set(hook, "reinvocationPolicy", "Never")
            for rule in hook.get("rules") or []:
                if isinstance(rule, dict):
                    _set(rule, "scope", "*")
            service = (hook.get("clientConfig") or {}).get("service")
            if isinstance(service, dict):
                _set(service, "port", 443)
    return default


DEFAULTERS: dict[tuple[str, str], Defaulter] = {
    ("", "Secret"): _secret,
    ("", "Pod"): _pod,
    ("", "Namespace"): namespace_name_label,
    ("", "PersistentVolumeClaim"): _claim,
    ("", "LimitRange"): _limit_range,
    (RBAC, "RoleBinding"): _subjects,
    (RBAC, "ClusterRoleBinding"): _subjects,
    ("storage.k8s.io", "StorageClass"): _storage_class,
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): _webhooks(True),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): _webhooks(False),
}


def apply_defaults(group: str, kind: str, obj: dict[str, Any]) -> dict[str, Any]:
    defaulter = DEFAULTERS.get((group, kind))
    if defaulter is not None:
        defaulter(obj)
    return obj
