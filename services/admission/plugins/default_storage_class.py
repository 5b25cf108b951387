"""DefaultStorageClass: a claim created without a class gets the default StorageClass.

A class is default when annotated storageclass.kubernetes.io/is-default-class=true (or the
beta annotation); with several, the newest wins, ties going to the first name. A claim that
names a class, even "", or carries the beta class annotation is left alone.
"""

from __future__ import annotations

from apimachinery.informer import Informer
from kubeproto.api.core.v1 import generated_pb2 as corev1
from kubeproto.api.storage.v1 import generated_pb2 as storagev1
from services.admission.attributes import CREATE, Attributes, forbidden
from services.admission.chain import MutatingPlugin

PLUGIN_NAME = "DefaultStorageClass"
IS_DEFAULT_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
BETA_IS_DEFAULT_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class"
BETA_STORAGE_CLASS_ANNOTATION = "volume.beta.kubernetes.io/storage-class"


def is_default(storage_class: storagev1.StorageClass) -> bool:
    annotations = storage_class.metadata.annotations
    return annotations.get(IS_DEFAULT_ANNOTATION) == "true" or annotations.get(BETA_IS_DEFAULT_ANNOTATION) == "true"


def default_class(classes: list[storagev1.StorageClass]) -> storagev1.StorageClass | None:
    defaults = [c for c in classes if is_default(c)]
    if not defaults:
        return None
    # Newest first (creationTimestamp to the nanosecond), then by name.
    defaults.sort(key=lambda c: (-c.metadata.creationTimestamp.seconds, -c.metadata.creationTimestamp.nanos,
                                 c.metadata.name))
    return defaults[0]


def has_class(claim: corev1.PersistentVolumeClaim) -> bool:
    return claim.spec.HasField("storageClassName") or BETA_STORAGE_CLASS_ANNOTATION in claim.metadata.annotations


class DefaultStorageClass(MutatingPlugin):
    name = PLUGIN_NAME
    operations = frozenset({CREATE})

    def __init__(self, storage_classes: Informer) -> None:
        self.storage_classes = storage_classes

    def ready(self) -> bool:
        return self.storage_classes.synced.is_set()

    async def admit(self, a: Attributes) -> None:
        if not a.is_core("persistentvolumeclaims") or a.subresource:
            return
        claim = a.object
        if not isinstance(claim, corev1.PersistentVolumeClaim) or has_class(claim):
            return
        if not await self.wait_for_ready():
            raise forbidden(a, "not yet ready to handle request")
        chosen = default_class([c for c in self.storage_classes.items() if isinstance(c, storagev1.StorageClass)])
        if chosen is not None:
            claim.spec.storageClassName = chosen.metadata.name
