"""ConfigMap and Secret (pkg/apis/core/validation config_maps.go, secrets.go)."""

from __future__ import annotations

import json

from apimachinery.validation.field import (
    ROOT,
    Errors,
    Path,
    each_invalid,
    forbidden,
    immutable,
    invalid,
    path,
    required,
    too_long,
)
from apimachinery.validation.names import is_config_map_key, name_is_dns_subdomain
from apimachinery.validation.objectmeta import validate_object_meta, validate_object_meta_update
from kubeproto.api.core.v1 import generated_pb2 as corev1

MAX_SECRET_SIZE = 1 * 1024 * 1024
DATA, BINARY_DATA = path("data"), path("binaryData")
IMMUTABLE_WHEN_SET = "field is immutable when `immutable` is set"

SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name"
SECRET_TYPE_OPAQUE = "Opaque"
SECRET_TYPE_SA_TOKEN = "kubernetes.io/service-account-token"
SECRET_TYPE_DOCKERCFG = "kubernetes.io/dockercfg"
SECRET_TYPE_DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson"
SECRET_TYPE_BASIC_AUTH = "kubernetes.io/basic-auth"
SECRET_TYPE_SSH_AUTH = "kubernetes.io/ssh-auth"
SECRET_TYPE_TLS = "kubernetes.io/tls"


def validate_config_map(cm: corev1.ConfigMap) -> Errors:
    errs = validate_object_meta(cm.metadata, True, name_is_dns_subdomain)
    total = 0
    for key in sorted(cm.data):
        if messages := is_config_map_key(key):
            errs += each_invalid(DATA.key(key), key, messages)
        if key in cm.binaryData:
            errs.append(invalid(DATA.key(key), key, "duplicate of key present in binaryData"))
        total += len(cm.data[key].encode())
    for key in sorted(cm.binaryData):
        if messages := is_config_map_key(key):
            errs += each_invalid(BINARY_DATA.key(key), key, messages)
        total += len(cm.binaryData[key])
    if total > MAX_SECRET_SIZE:
        # An empty path: the error is about the whole object.
        errs.append(too_long(ROOT, MAX_SECRET_SIZE))
    return errs


def validate_config_map_update(new: corev1.ConfigMap, old: corev1.ConfigMap) -> Errors:
    errs = validate_object_meta_update(new.metadata, old.metadata)
    if old.immutable:
        if not new.immutable:
            errs.append(forbidden(path("immutable"), IMMUTABLE_WHEN_SET))
        if dict(new.data) != dict(old.data):
            errs.append(forbidden(path("data"), IMMUTABLE_WHEN_SET))
        if dict(new.binaryData) != dict(old.binaryData):
            errs.append(forbidden(path("binaryData"), IMMUTABLE_WHEN_SET))
    return errs + validate_config_map(new)


def secret_data(secret: corev1.Secret) -> dict[str, bytes]:
    """data with stringData merged over it, as the v1 -> internal conversion does."""
    merged = dict(secret.data)
    for k, v in secret.stringData.items():
        merged[k] = v.encode()
    return merged


def _json_object_error(raw: bytes) -> str | None:
    """Why raw is not a JSON object, as Go's json.Unmarshal into a map would say, or None."""
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        return f"invalid character in JSON: {exc}"
    if not isinstance(value, dict):
        kind = "array" if isinstance(value, list) else type(value).__name__
        return f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
    return None


def validate_secret(secret: corev1.Secret) -> Errors:
    errs = validate_object_meta(secret.metadata, True, name_is_dns_subdomain)
    data = secret_data(secret)
    data_path = path("data")
    total = 0
    for key in sorted(data):
        errs += each_invalid(data_path.key(key), key, is_config_map_key(key))
        total += len(data[key])
    if total > MAX_SECRET_SIZE:
        errs.append(too_long(data_path, MAX_SECRET_SIZE))
    errs += _validate_secret_type(secret, data, data_path)
    return errs


def _validate_secret_type(secret: corev1.Secret, data: dict[str, bytes], data_path: Path) -> Errors:
    kind = secret.type
    if kind == SECRET_TYPE_SA_TOKEN:
        # Only the annotation: the token controller fills in the rest.
        if not secret.metadata.annotations.get(SERVICE_ACCOUNT_NAME_KEY):
            return [required(path("metadata", "annotations").key(SERVICE_ACCOUNT_NAME_KEY))]
    elif kind in (SECRET_TYPE_DOCKERCFG, SECRET_TYPE_DOCKER_CONFIG_JSON):
        key = ".dockercfg" if kind == SECRET_TYPE_DOCKERCFG else ".dockerconfigjson"
        if key not in data:
            return [required(data_path.key(key))]
        why = _json_object_error(data[key])
        if why is not None:
            return [invalid(data_path.key(key), "<secret contents redacted>", why)]
    elif kind == SECRET_TYPE_BASIC_AUTH:
        # Either may be empty, but one must be there. Upstream's path really is "data[%s][...]".
        if "username" not in data and "password" not in data:
            odd = Path("data[%s]")
            return [required(odd.key("username")), required(odd.key("password"))]
    elif kind == SECRET_TYPE_SSH_AUTH:
        if not data.get("ssh-privatekey"):
            return [required(Path("data[%s]").key("ssh-privatekey"))]
    elif kind == SECRET_TYPE_TLS:
        return [required(data_path.key(k)) for k in ("tls.crt", "tls.key") if k not in data]
    return []


def validate_secret_update(new: corev1.Secret, old: corev1.Secret) -> Errors:
    errs = validate_object_meta_update(new.metadata, old.metadata)
    new_type = new.type or old.type or SECRET_TYPE_OPAQUE
    old_type = old.type or SECRET_TYPE_OPAQUE
    errs += immutable(path("type"), new_type, old_type)
    if old.immutable:
        if not new.immutable:
            errs.append(forbidden(path("immutable"), IMMUTABLE_WHEN_SET))
        if secret_data(new) != secret_data(old):
            errs.append(forbidden(path("data"), IMMUTABLE_WHEN_SET))
    checked = corev1.Secret()
    checked.CopyFrom(new)
    checked.type = new_type
    return errs + validate_secret(checked)
