"""Per-kind storage behaviour (upstream's rest.Strategy): what create, update and
delete do to an object beyond validation.
"""

from __future__ import annotations

from google.protobuf.message import Message

from apimachinery.codec import now_time
from apimachinery.kinds import NAMESPACE_NAME_LABEL
from apimachinery.qos import pod_qos_class
from apimachinery.scheme import Kind, metadata_of

# Spec-less kinds: any change outside metadata counts as a new generation.
_NO_STATUS_RESET = {"Namespace", "Pod"}


class Strategy:
    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self.status_subresource = "status" in kind.info.subresources
        self.allow_create_on_update = kind.info.create_on_update
        self.is_namespace = kind.info.group == "" and kind.info.kind == "Namespace"
        self.is_pod = kind.info.group == "" and kind.info.kind == "Pod"

    # create -------------------------------------------------------------------------

    def prepare_for_create(self, msg: Message) -> None:
        name = self.kind.info.kind
        if self.status_subresource and name not in _NO_STATUS_RESET:
            msg.ClearField("status")  # type: ignore[arg-type]
        if self.is_namespace:
            msg.status.phase = "Active"  # type: ignore[attr-defined]
            if "kubernetes" not in msg.spec.finalizers:  # type: ignore[attr-defined]
                msg.spec.finalizers.append("kubernetes")  # type: ignore[attr-defined]
        elif self.is_pod:
            msg.ClearField("status")  # type: ignore[arg-type]
            msg.status.phase = "Pending"  # type: ignore[attr-defined]
            msg.status.qosClass = pod_qos_class(msg)  # type: ignore[attr-defined,arg-type]
        elif name == "Secret" and self.kind.info.group == "":
            _merge_string_data(msg)

    def canonicalize(self, msg: Message) -> None:
        """Normalize an object after validation, on create and update (rest.RESTCreateStrategy.Canonicalize):
        a namespace is labelled with its own name, which a generateName create only now knows."""
        if self.is_namespace:
            metadata_of(msg).labels[NAMESPACE_NAME_LABEL] = metadata_of(msg).name

    # update -------------------------------------------------------------------------

    def prepare_for_update(self, new: Message, old: Message, subresource: str) -> None:
        """Keep what this request may not change: status on the main resource, all but
        status on the status subresource, all but spec.finalizers on namespaces/finalize."""
        if subresource == "status":
            status = type(new.status)()  # type: ignore[attr-defined]
            status.CopyFrom(new.status)  # type: ignore[attr-defined]
            meta = type(metadata_of(new))()
            meta.CopyFrom(metadata_of(new))
            new.CopyFrom(old)
            new.status.CopyFrom(status)  # type: ignore[attr-defined]
            # The status subresource may not change labels, annotations or anything else in metadata.
            metadata_of(new).resourceVersion = meta.resourceVersion
            if self.is_pod and not new.status.qosClass:  # type: ignore[attr-defined]
                # Set at creation and immutable; a kubelet that dropped it gets it back (podStatusStrategy).
                new.status.qosClass = old.status.qosClass  # type: ignore[attr-defined]
        elif subresource == "finalize":
            finalizers = list(new.spec.finalizers)  # type: ignore[attr-defined]
            rv = metadata_of(new).resourceVersion
            new.CopyFrom(old)
            del new.spec.finalizers[:]  # type: ignore[attr-defined]
            new.spec.finalizers.extend(finalizers)  # type: ignore[attr-defined]
            metadata_of(new).resourceVersion = rv
        elif self.status_subresource:
            if old.HasField("status"):  # type: ignore[arg-type]
                new.status.CopyFrom(old.status)  # type: ignore[attr-defined]
            else:
                new.ClearField("status")  # type: ignore[arg-type]
        if self.kind.info.kind == "Secret" and self.kind.info.group == "":
            _merge_string_data(new)

    def spec_changed(self, new: Message, old: Message) -> bool:
        """Whether anything but metadata and status differs (a new generation)."""
        return _spec_bytes(new) != _spec_bytes(old)

    # delete -------------------------------------------------------------------------

    def must_wait(self, msg: Message) -> bool:
        """Whether deletion must wait (finalizers, or a namespace's spec.finalizers)."""
        if metadata_of(msg).finalizers:
            return True
        return self.is_namespace and bool(msg.spec.finalizers)  # type: ignore[attr-defined]

    def begin_delete(self, msg: Message, grace_period_seconds: int) -> None:
        meta = metadata_of(msg)
        if not meta.HasField("deletionTimestamp"):
            meta.deletionTimestamp.seconds = now_time()[0]
            # Only pods delete gracefully (upstream's RESTGracefulDeleteStrategy); other kinds wait for their
            # finalizers with a grace period of 0, whatever was asked (markAsDeleting).
            meta.deletionGracePeriodSeconds = grace_period_seconds if self.is_pod else 0
            meta.generation = meta.generation + 1
        if self.is_namespace:
            msg.status.phase = "Terminating"  # type: ignore[attr-defined]


def _spec_bytes(msg: Message) -> bytes:
    copy = type(msg)()
    copy.CopyFrom(msg)
    copy.ClearField("metadata")  # type: ignore[arg-type]
    if "status" in copy.DESCRIPTOR.fields_by_name:
        copy.ClearField("status")  # type: ignore[arg-type]
    return copy.SerializeToString(deterministic=True)


def _merge_string_data(secret: Message) -> None:
    """stringData is write-only: its entries land in data, as upstream converts them."""
    for key, value in secret.stringData.items():  # type: ignore[attr-defined]
        secret.data[key] = value.encode()  # type: ignore[attr-defined]
    secret.ClearField("stringData")  # type: ignore[arg-type]
