"""The generic store (upstream's registry/generic Store over storage.Interface).

Every method takes the Kind the request named and works on Objects; typed
messages are parsed only where the semantics need them (validation, strategy).
Writes are compare-and-swap transactions on the key's mod_revision, so two
racing updates cannot both win.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass

from google.protobuf.message import Message

from apimachinery import errors
from apimachinery.codec import now_time
from apimachinery.errors import Cause, StatusError
from apimachinery.scheme import Kind, Scheme, metadata_of
from apimachinery.validation import validate_create, validate_update
from kubeproto.apimachinery.pkg.apis.meta.v1 import generated_pb2 as metav1
from kubeproto.registry.v1 import registry_pb2
from services.registry import envelope, keys, versions
from services.registry.etcd import Etcd, TooLarge
from services.registry.strategy import Strategy

# generateName suffixes, as upstream: no vowels, no look-alike characters.
_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_GENERATE_ATTEMPTS = 8


@dataclass
class StoreConfig:
    prefix: str = "/registry"
    # etcd's --max-request-bytes; larger objects are refused before etcd sees them.
    max_object_bytes: int = 1536 * 1024


class Store:
    def __init__(self, etcd: Etcd, scheme: Scheme, config: StoreConfig) -> None:
        self.etcd = etcd
        self.scheme = scheme
        self.config = config
        self._strategies: dict[tuple[str, str], Strategy] = {}

    def strategy(self, kind: Kind) -> Strategy:
        key = (kind.info.group, kind.info.resource)
        s = self._strategies.get(key)
        if s is None:
            s = self._strategies[key] = Strategy(kind)
        return s

    def key(self, kind: Kind, namespace: str, name: str) -> bytes:
        return keys.object_key(self.config.prefix, kind, namespace, name)

    # helpers ------------------------------------------------------------------------

    def _decode_stored(self, kind: Kind, value: bytes, revision: int) -> Message:
        obj = envelope.decode(value)
        _, msg = self.scheme.from_object(obj)
        metadata_of(msg).resourceVersion = str(revision)
        return msg

    def _encode_for_storage(self, kind: Kind, msg: Message) -> bytes:
        meta = metadata_of(msg)
        rv = meta.resourceVersion if meta.HasField("resourceVersion") else None
        meta.ClearField("resourceVersion")  # derived from mod_revision on every read
        value = envelope.encode(self.scheme.to_object(kind, msg))
        if rv is not None:  # an absent one stays absent (a dry-run create answers without it)
            meta.resourceVersion = rv
        if len(value) > self.config.max_object_bytes:
            raise errors.request_entity_too_large(
                f"object is too large to store: {len(value)} bytes, limit is {self.config.max_object_bytes}")
        return value

    def _check_namespace(self, kind: Kind, namespace: str, msg: Message) -> None:
        meta = metadata_of(msg)
        if kind.info.namespaced:
            if not namespace:
                raise errors.bad_request("a namespace is required for a namespaced resource")
            if meta.namespace and meta.namespace != namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request")
            meta.namespace = namespace
        else:
            if namespace:
                raise errors.bad_request(f"{kind.info.resource} is not namespaced")
            meta.ClearField("namespace")

    def _invalid(self, kind: Kind, name: str, causes: list[Cause]) -> StatusError:
        return errors.invalid(kind.info.group, kind.info.kind, name, causes)

    def _object(self, kind: Kind, msg: Message) -> registry_pb2.Object:
        return self.scheme.to_object(kind, msg)

    # create -------------------------------------------------------------------------

    async def create(self, kind: Kind, namespace: str, obj: registry_pb2.Object,
                     dry_run: bool = False) -> registry_pb2.Object:
        _, msg = self.scheme.from_object(obj, expect=kind)
        self._check_namespace(kind, namespace, msg)
        meta = metadata_of(msg)
        sent_rv = meta.resourceVersion
        generated = not meta.name and bool(meta.generateName)
        for _ in range(_GENERATE_ATTEMPTS if generated else 1):
            if generated:
                meta.name = meta.generateName + "".join(secrets.choice(_ALPHABET) for _ in range(5))
            self._prepare_create(kind, msg)
            causes = validate_create(kind, msg)
            if causes:
                raise self._invalid(kind, meta.name or meta.generateName, causes)
            self.strategy(kind).canonicalize(msg)
            key = self.key(kind, namespace, meta.name)
            value = self._encode_for_storage(kind, msg)
            if dry_run:
                existing, _ = await self.etcd.get(key)
                if existing is None:
                    return self._object(kind, msg)
                continue
            if versions.number(sent_rv):
                # As upstream's storage (after validation, and not for a dry run): most likely an object read back
                # and sent again. Upstream's is a plain error, answered 500 with no reason; bad input never gets a
                # 500 here (docs/registry.md), so it is a 400 with upstream's message.
                raise errors.bad_request("resourceVersion should not be set on objects to be created")
            try:
                created, revision = await self.etcd.create(key, value)
            except TooLarge as exc:
                raise errors.request_entity_too_large(str(exc)) from None
            if created:
                meta.resourceVersion = str(revision)
                return self._object(kind, msg)
        raise errors.already_exists(kind.info.group, kind.info.resource, meta.name)

    def _prepare_create(self, kind: Kind, msg: Message) -> None:
        meta = metadata_of(msg)
        meta.uid = str(uuid.uuid4())
        meta.creationTimestamp.seconds = now_time()[0]
        meta.creationTimestamp.nanos = 0
        meta.generation = 1
        for owned in ("resourceVersion", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"):
            meta.ClearField(owned)
        self.strategy(kind).prepare_for_create(msg)

    # get ----------------------------------------------------------------------------

    async def get(self, kind: Kind, namespace: str, name: str) -> registry_pb2.Object:
        """A linearizable read from etcd."""
        kv, _ = await self.etcd.get(self.key(kind, namespace, name))
        if kv is None:
            raise errors.not_found(kind.info.group, kind.info.resource, name)
        return envelope.with_resource_version(envelope.decode(kv.value), kv.mod_revision)

    # update -------------------------------------------------------------------------

    async def update(self, kind: Kind, namespace: str, name: str, obj: registry_pb2.Object,
                     subresource: str = "", dry_run: bool = False) -> registry_pb2.Object:
        _, new = self.scheme.from_object(obj, expect=kind)
        self._check_namespace(kind, namespace, new)
        new_meta = metadata_of(new)
        if new_meta.name and new_meta.name != name:
            raise errors.bad_request(
                f"the name of the object ({new_meta.name}) does not match the name on the URL ({name})")
        new_meta.name = name
        precondition = new_meta.resourceVersion
        expected = versions.number(precondition)
        if precondition and expected is None:
            raise errors.bad_request(f'invalid resourceVersion "{precondition}"')
        strategy = self.strategy(kind)
        key = self.key(kind, namespace, name)
        kv, _ = await self.etcd.get(key)
        pristine = type(new)()
        pristine.CopyFrom(new)
        while True:
            if kv is None:
                if precondition or subresource or not strategy.allow_create_on_update:
                    raise errors.not_found(kind.info.group, kind.info.resource, name)
                create_obj = self._object(kind, pristine)
                return await self.create(kind, namespace, create_obj, dry_run=dry_run)
            if precondition and expected != kv.mod_revision:
                raise errors.conflict(kind.info.group, kind.info.resource, name, errors.OPTIMISTIC_LOCK)
            old = self._decode_stored(kind, kv.value, kv.mod_revision)
            candidate = type(pristine)()
            candidate.CopyFrom(pristine)
            result = self._prepare_update(kind, candidate, old, subresource)
            if result is None:
                return self._object(kind, old)  # nothing changed: no write, same resourceVersion
            if dry_run:
                return self._object(kind, candidate)
            if strategy.must_wait(candidate) or not metadata_of(candidate).HasField("deletionTimestamp"):
                value = self._encode_for_storage(kind, candidate)
                try:
                    done, revision, current = await self.etcd.update(key, value, kv.mod_revision)
                except TooLarge as exc:
                    raise errors.request_entity_too_large(str(exc)) from None
                if done:
                    metadata_of(candidate).resourceVersion = str(revision)
                    return self._object(kind, candidate)
            else:
                # The last finalizer is gone from an object being deleted: remove it now.
                done, revision, current = await self.etcd.delete(key, kv.mod_revision)
                if done:
                    metadata_of(candidate).resourceVersion = str(revision)
                    return self._object(kind, candidate)
            if precondition:
                raise errors.conflict(kind.info.group, kind.info.resource, name, errors.OPTIMISTIC_LOCK)
            kv = current  # an unconditional update retries on the newer object

    def _prepare_update(self, kind: Kind, new: Message, old: Message, subresource: str) -> Message | None:
        """Apply server-owned metadata and the strategy; None when nothing would change."""
        strategy = self.strategy(kind)
        new_meta, old_meta = metadata_of(new), metadata_of(old)
        if new_meta.uid and new_meta.uid != old_meta.uid:
            raise errors.conflict(kind.info.group, kind.info.resource, old_meta.name,
                                  f"Precondition failed: UID in precondition: {new_meta.uid}, "
                                  f"UID in object meta: {old_meta.uid}")
        strategy.prepare_for_update(new, old, subresource)
        new_meta = metadata_of(new)
        new_meta.uid = old_meta.uid
        new_meta.creationTimestamp.CopyFrom(old_meta.creationTimestamp)
        new_meta.generation = old_meta.generation
        new_meta.ClearField("selfLink")
        for owned in ("deletionTimestamp", "deletionGracePeriodSeconds"):
            if old_meta.HasField(owned):
                if owned == "deletionTimestamp":
                    new_meta.deletionTimestamp.CopyFrom(old_meta.deletionTimestamp)
                else:
                    new_meta.deletionGracePeriodSeconds = old_meta.deletionGracePeriodSeconds
            else:
                new_meta.ClearField(owned)
        if old_meta.HasField("deletionTimestamp"):
            added = set(new_meta.finalizers) - set(old_meta.finalizers)
            if added:
                raise self._invalid(kind, old_meta.name, [Cause(
                    "FieldValueForbidden", "Forbidden: no new finalizers can be added if the object is being deleted",
                    "metadata.finalizers")])
        if strategy.spec_changed(new, old):
            new_meta.generation = old_meta.generation + 1
        causes = validate_update(kind, new, old)
        if causes:
            raise self._invalid(kind, old_meta.name, causes)
        strategy.canonicalize(new)
        new_meta.resourceVersion = old_meta.resourceVersion
        if new.SerializeToString(deterministic=True) == old.SerializeToString(deterministic=True):
            return None
        return new

    # delete -------------------------------------------------------------------------

    async def delete(self, kind: Kind, namespace: str, name: str,
                     preconditions: registry_pb2.Preconditions | None = None,
                     grace_period_seconds: int | None = None,
                     dry_run: bool = False) -> tuple[registry_pb2.Object, bool]:
        strategy = self.strategy(kind)
        key = self.key(kind, namespace, name)
        kv, _ = await self.etcd.get(key)
        while True:
            if kv is None:
                raise errors.not_found(kind.info.group, kind.info.resource, name)
            msg = self._decode_stored(kind, kv.value, kv.mod_revision)
            meta = metadata_of(msg)
            if preconditions is not None:
                _check_delete_preconditions(kind, preconditions, meta)
            if strategy.must_wait(msg):
                if meta.HasField("deletionTimestamp") and not strategy.is_namespace:
                    return self._object(kind, msg), False
                was_terminating = meta.HasField("deletionTimestamp")
                strategy.begin_delete(msg, grace_period_seconds or 0)
                if dry_run or was_terminating:
                    return self._object(kind, msg), False
                done, revision, current = await self.etcd.update(key, self._encode_for_storage(kind, msg),
                                                                  kv.mod_revision)
                if done:
                    meta.resourceVersion = str(revision)
                    return self._object(kind, msg), False
            else:
                if dry_run:
                    return self._object(kind, msg), True
                done, revision, current = await self.etcd.delete(key, kv.mod_revision)
                if done:
                    meta.resourceVersion = str(revision)  # the deletion's, as upstream answers and watchers see
                    return self._object(kind, msg), True
            kv = current


def _check_delete_preconditions(kind: Kind, preconditions: registry_pb2.Preconditions, meta: metav1.ObjectMeta) -> None:
    """As upstream's rest.BeforeDelete: a 409 on the kind (Deployment.apps "x") naming both values."""
    why = ""
    if preconditions.HasField("uid") and preconditions.uid != meta.uid:
        why = (f"the UID in the precondition ({preconditions.uid}) does not match the UID in record ({meta.uid}). "
               "The object might have been deleted and then recreated")
    elif preconditions.HasField("resource_version") and preconditions.resource_version != meta.resourceVersion:
        why = (f"the ResourceVersion in the precondition ({preconditions.resource_version}) does not match the "
               f"ResourceVersion in record ({meta.resourceVersion}). The object might have been modified")
    if why:
        raise errors.conflict(kind.info.group, kind.info.kind, meta.name, why)
