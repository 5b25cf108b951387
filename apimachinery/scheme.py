"""The Scheme: GroupVersionKind <-> message class <-> GroupVersionResource.

It is built from apimachinery.kinds and the generated kubeproto modules. Every
service uses it to turn an Object (apiVersion, kind, raw) into a typed message
and back, and to turn a typed message into Kubernetes JSON.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Any, NamedTuple

from google.protobuf import message_factory
from google.protobuf.descriptor_pool import Default as default_pool
from google.protobuf.message import DecodeError as ProtoDecodeError
from google.protobuf.message import Message

from apimachinery import codec
from apimachinery.errors import StatusError, bad_request
from apimachinery.kinds import BUILTIN_KINDS, KindInfo
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1
from kubeproto.registry.v1 import registry_pb2

PROTOBUF = "application/vnd.kubernetes.protobuf"
JSON = "application/json"


class GroupVersionKind(NamedTuple):
    group: str
    version: str
    kind: str


class GroupVersionResource(NamedTuple):
    group: str
    version: str
    resource: str


def split_api_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def proto_full_name(definition: str) -> str:
    """io.k8s.api.core.v1.Pod -> k8s.io.api.core.v1.Pod."""
    parts = definition.split(".")
    return ".".join(["k8s", "io", *[p.replace("-", "_") for p in parts[2:]]])


def _module_for(definition: str) -> str:
    parts = definition.split(".")[2:-1]
    return ".".join(["kubeproto", *[p.replace("-", "_") for p in parts], "generated_pb2"])


@dataclass(frozen=True)
class Kind:
    """A kind served by this server, with its message class."""

    info: KindInfo
    message_class: type[Message]

    @property
    def gvk(self) -> GroupVersionKind:
        return GroupVersionKind(self.info.group, self.info.version, self.info.kind)

    @property
    def gvr(self) -> GroupVersionResource:
        return GroupVersionResource(self.info.group, self.info.version, self.info.resource)

    @property
    def has_status(self) -> bool:
        return "status" in self.message_class.DESCRIPTOR.fields_by_name


class Scheme:
    def __init__(self, kinds: tuple[KindInfo, ...] = BUILTIN_KINDS) -> None:
        self._by_gvk: dict[GroupVersionKind, Kind] = {}
        self._by_gvr: dict[GroupVersionResource, Kind] = {}
        for info in kinds:
            importlib.import_module(_module_for(info.definition))
            desc = default_pool().FindMessageTypeByName(proto_full_name(info.definition))
            kind = Kind(info, message_factory.GetMessageClass(desc))
            self._by_gvk[kind.gvk] = kind
            self._by_gvr[kind.gvr] = kind

    def kinds(self) -> list[Kind]:
        return list(self._by_gvr.values())

    def by_gvr(self, group: str, version: str, resource: str) -> Kind:
        kind = self._by_gvr.get(GroupVersionResource(group, version, resource))
        if kind is None:
            raise StatusError(
                404, "NotFound", f"the server could not find the requested resource ({_gvr_text(group, version, resource)})")
        return kind

    def by_gvk(self, group: str, version: str, kind_name: str) -> Kind:
        kind = self._by_gvk.get(GroupVersionKind(group, version, kind_name))
        if kind is None:
            api_version = f"{group}/{version}" if group else version
            raise bad_request(f'no kind "{kind_name}" is registered for version "{api_version}"')
        return kind

    # Object <-> typed message <-> JSON -------------------------------------------------

    def to_object(self, kind: Kind, msg: Message) -> registry_pb2.Object:
        return registry_pb2.Object(api_version=kind.info.api_version, kind=kind.info.kind,
                                   raw=msg.SerializeToString(), content_type=PROTOBUF)

    def from_object(self, obj: registry_pb2.Object, expect: Kind | None = None) -> tuple[Kind, Message]:
        """Parse an Object's raw bytes into its typed message (400 on anything malformed)."""
        group, version = split_api_version(obj.api_version)
        kind = self.by_gvk(group, version, obj.kind)
        if expect is not None and kind is not expect:
            raise bad_request(f"the object's kind {obj.kind} ({obj.api_version}) does not match the "
                              f"resource {expect.info.resource} ({expect.info.api_version})")
        if obj.content_type not in ("", PROTOBUF):
            raise bad_request(f"unsupported content type {obj.content_type!r} for built-in kind {obj.kind}")
        msg = kind.message_class()
        try:
            msg.ParseFromString(obj.raw)
        except ProtoDecodeError as exc:
            raise bad_request(f"malformed protobuf for {obj.kind}: {exc}") from None
        return kind, msg

    def to_json(self, kind: Kind, msg: Message) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": kind.info.kind, "apiVersion": kind.info.api_version}
        body.update(codec.encode(msg))
        return body

    def from_json(self, data: dict[str, Any]) -> tuple[Kind, Message, list[str]]:
        """A JSON object with apiVersion and kind -> its kind, message and unknown fields."""
        api_version, kind_name = data.get("apiVersion"), data.get("kind")
        if not isinstance(api_version, str) or not api_version:
            raise bad_request("Object 'apiVersion' is missing in the request body")
        if not isinstance(kind_name, str) or not kind_name:
            raise bad_request("Object 'Kind' is missing in the request body")
        kind = self.by_gvk(*split_api_version(api_version), kind_name)
        msg, unknown = codec.decode(kind.message_class, data)
        return kind, msg, unknown

    def object_from_json(self, data: dict[str, Any]) -> registry_pb2.Object:
        kind, msg, unknown = self.from_json(data)
        if unknown:
            raise codec.unknown_fields_error(unknown)
        return self.to_object(kind, msg)

    def object_to_json(self, obj: registry_pb2.Object) -> dict[str, Any]:
        kind, msg = self.from_object(obj)
        return self.to_json(kind, msg)


def _gvr_text(group: str, version: str, resource: str) -> str:
    return f"{group}/{version}, Resource={resource}" if group else f"{version}, Resource={resource}"


def metadata_of(msg: Message) -> metav1.ObjectMeta:
    """Field 1 of every kind is its ObjectMeta."""
    meta: metav1.ObjectMeta = msg.metadata  # type: ignore[attr-defined]
    return meta


@functools.cache
def default_scheme() -> Scheme:
    return Scheme()
