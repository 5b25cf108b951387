"""The etcd value: a magic prefix, then the Object envelope (apiVersion, kind, raw)."""

from __future__ import annotations

from kubeproto.registry.v1 import registry_pb2, storage_pb2

MAGIC = b"kpy\x00"


class CorruptValue(Exception):
    pass


def encode(obj: registry_pb2.Object) -> bytes:
    return MAGIC + obj.SerializeToString()


def decode(value: bytes) -> registry_pb2.Object:
    if not value.startswith(MAGIC):
        raise CorruptValue("value does not start with the storage magic prefix")
    obj = registry_pb2.Object()
    obj.ParseFromString(value[len(MAGIC):])
    return obj


def with_resource_version(obj: registry_pb2.Object, revision: int) -> registry_pb2.Object:
    """The object with metadata.resourceVersion set, touching nothing but metadata.

    Custom resources (JSON) are left to the caller.
    """
    meta = storage_pb2.ObjectMetaOnly()
    meta.ParseFromString(obj.raw)
    meta.metadata.resourceVersion = str(revision)
    return registry_pb2.Object(api_version=obj.api_version, kind=obj.kind, raw=meta.SerializeToString(),
                               content_type=obj.content_type)


def metadata(obj: registry_pb2.Object) -> storage_pb2.ObjectMetaOnly:
    meta = storage_pb2.ObjectMetaOnly()
    meta.ParseFromString(obj.raw)
    return meta
