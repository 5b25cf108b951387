import base64
from typing import Any

from vhelpers import create_causes, create_errors, stored, update_errors


def cm(**body: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"}, **body}


def secret(type_: str | None = None, data: dict[str, str] | None = None, **body: Any) -> dict[str, Any]:
    obj: dict[str, Any] = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "default"}}
    if type_ is not None:
        obj["type"] = type_
    if data is not None:
        obj["data"] = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
    obj.update(body)
    return obj


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_config_map_keys() -> None:
    assert create_errors(cm(data={"app.properties": "x", "KEY_1": "y"}, binaryData={"logo.png": b64("z")})) == []
    assert create_errors(cm(data={"Foo Bar": "x", ".": "y"}, binaryData={"..bin": b64("z")})) == [
        ("data[.]", "Invalid value: \".\": must not be '.'"),
        ("data[Foo Bar]", "Invalid value: \"Foo Bar\": a valid config key must consist of alphanumeric characters, "
                          "'-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                          "validation is '[-._a-zA-Z0-9]+')"),
        ("binaryData[..bin]", "Invalid value: \"..bin\": must not start with '..'"),
    ]


def test_config_map_key_in_both_maps() -> None:
    assert create_errors(cm(data={"k": "x"}, binaryData={"k": b64("y")})) == [
        ("data[k]", 'Invalid value: "k": duplicate of key present in binaryData')]


def test_config_map_size() -> None:
    causes = create_causes(cm(data={"a": "x" * (1024 * 1024), "b": "y"}))
    assert [(c.reason, c.field, c.message) for c in causes] == [
        ("FieldValueTooLong", "", "Too long: must have at most 1048576 bytes")]
    assert create_errors(cm(data={"a": "x" * (1024 * 1024)})) == []


def test_config_map_immutable() -> None:
    old = stored(cm(data={"k": "v"}, immutable=True))
    assert update_errors(stored(cm(data={"k": "v"}, immutable=True)), old) == []
    changed = stored(cm(data={"k": "w"}, binaryData={"b": b64("x")}))
    assert update_errors(changed, old) == [
        ("immutable", "Forbidden: field is immutable when `immutable` is set"),
        ("data", "Forbidden: field is immutable when `immutable` is set"),
        ("binaryData", "Forbidden: field is immutable when `immutable` is set"),
    ]
    # A mutable ConfigMap may change, and may become immutable.
    mutable = stored(cm(data={"k": "v"}))
    assert update_errors(stored(cm(data={"k": "w"}, immutable=True)), mutable) == []


def test_secret_keys_and_string_data() -> None:
    assert create_errors(secret(data={"password": "x"})) == []
    assert create_errors(secret(stringData={"bad key": "x"}))[0][0] == "data[bad key]"


def test_secret_size() -> None:
    assert create_errors(secret(data={"a": "x" * (1024 * 1024 + 1)})) == [
        ("data", "Too long: must have at most 1048576 bytes")]


def test_service_account_token_secret() -> None:
    t = "kubernetes.io/service-account-token"
    assert create_errors(secret(t)) == [
        ("metadata.annotations[kubernetes.io/service-account.name]", "Required value")]
    ok = secret(t)
    ok["metadata"]["annotations"] = {"kubernetes.io/service-account.name": "default"}
    assert create_errors(ok) == []


def test_docker_secrets() -> None:
    assert create_errors(secret("kubernetes.io/dockercfg")) == [("data[.dockercfg]", "Required value")]
    assert create_errors(secret("kubernetes.io/dockerconfigjson")) == [("data[.dockerconfigjson]", "Required value")]
    assert create_errors(secret("kubernetes.io/dockerconfigjson", {".dockerconfigjson": '{"auths":{}}'})) == []
    bad = create_errors(secret("kubernetes.io/dockerconfigjson", {".dockerconfigjson": "not json"}))
    assert bad[0][0] == "data[.dockerconfigjson]"
    assert bad[0][1].startswith('Invalid value: "<secret contents redacted>": ')


def test_basic_and_ssh_auth() -> None:
    # Upstream's paths for these really read "data[%s][...]".
    assert create_errors(secret("kubernetes.io/basic-auth")) == [
        ("data[%s][username]", "Required value"), ("data[%s][password]", "Required value")]
    assert create_errors(secret("kubernetes.io/basic-auth", {"username": ""})) == []
    assert create_errors(secret("kubernetes.io/ssh-auth")) == [("data[%s][ssh-privatekey]", "Required value")]
    assert create_errors(secret("kubernetes.io/ssh-auth", {"ssh-privatekey": "k"})) == []


def test_tls_secret() -> None:
    assert create_errors(secret("kubernetes.io/tls", {"tls.crt": "c"})) == [("data[tls.key]", "Required value")]
    assert create_errors(secret("kubernetes.io/tls", {"tls.crt": "c", "tls.key": "k"})) == []


def test_bootstrap_and_custom_types_need_nothing() -> None:
    assert create_errors(secret("bootstrap.kubernetes.io/token")) == []
    assert create_errors(secret("example.com/custom")) == []


def test_secret_update() -> None:
    old = stored(secret("Opaque", {"k": "v"}))
    assert update_errors(stored(secret(None, {"k": "w"})), old) == []
    assert update_errors(stored(secret("kubernetes.io/tls", {"tls.crt": "c", "tls.key": "k"})), old) == [
        ("type", 'Invalid value: "kubernetes.io/tls": field is immutable')]
    frozen = stored(secret("Opaque", {"k": "v"}, immutable=True))
    assert update_errors(stored(secret("Opaque", {"k": "w"})), frozen) == [
        ("immutable", "Forbidden: field is immutable when `immutable` is set"),
        ("data", "Forbidden: field is immutable when `immutable` is set"),
    ]
