"""ServiceAccount: every pod runs as a service account that exists, and gets its API credentials.

On create a pod without one is given ``default``; the account must exist (informer, then the
registry: ten tries for ``default``, which its controller may be creating right now); unless
automounting is off (pod first, then account), every container and init container mounts the
projected ``kube-api-access-<random>`` volume (a bound token, the cluster CA, the namespace) at
/var/run/secrets/kubernetes.io/serviceaccount. Accounts annotated
kubernetes.io/enforce-mountable-secrets=true limit which secrets the pod may reference.
"""

from __future__ import annotations

import asyncio
import random

from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.informer import Informer
from apimachinery.scheme import Kind
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission.attributes import CREATE, UPDATE, Attributes, forbidden
from services.admission.chain import MutatingPlugin, ValidatingPlugin

PLUGIN_NAME = "ServiceAccount"
DEFAULT_SERVICE_ACCOUNT_NAME = "default"
ENFORCE_MOUNTABLE_SECRETS_ANNOTATION = "kubernetes.io/enforce-mountable-secrets"
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
DEFAULT_API_TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
SERVICE_ACCOUNT_VOLUME_NAME = "kube-api-access"
# serviceaccount.WarnOnlyBoundTokenExpirationSeconds: an hour and seven seconds, so that
# kubelets can tell these tokens from ones a user asked for.
TOKEN_EXPIRATION_SECONDS = 3607
PROJECTED_DEFAULT_MODE = 0o644
ROOT_CA_CONFIG_MAP = "kube-root-ca.crt"
# names.SimpleNameGenerator's alphabet: no vowels, no look-alikes.
_NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def generate_name(base: str) -> str:
    return base + "".join(random.choice(_NAME_ALPHABET) for _ in range(5))


def token_volume_source() -> corev1.ProjectedVolumeSource:
    source = corev1.ProjectedVolumeSource(defaultMode=PROJECTED_DEFAULT_MODE)
    source.sources.add().serviceAccountToken.CopyFrom(
        corev1.ServiceAccountTokenProjection(path="token", expirationSeconds=TOKEN_EXPIRATION_SECONDS))
    config_map = source.sources.add().configMap
    config_map.name = ROOT_CA_CONFIG_MAP
    config_map.items.add(key="ca.crt", path="ca.crt")
    downward = source.sources.add().downwardAPI
    downward.items.add(path="namespace").fieldRef.CopyFrom(
        corev1.ObjectFieldSelector(apiVersion="v1", fieldPath="metadata.namespace"))
    return source


class ServiceAccount(MutatingPlugin, ValidatingPlugin):
    name = PLUGIN_NAME
    operations = frozenset({CREATE, UPDATE})

    def __init__(self, service_accounts: Informer, client: RegistryClient, service_account_kind: Kind,
                 mount_service_account_token: bool = True) -> None:
        self.service_accounts = service_accounts
        self.client = client
        self.service_account_kind = service_account_kind
        self.mount_service_account_token = mount_service_account_token

    def ready(self) -> bool:
        return self.service_accounts.synced.is_set()

    @staticmethod
    def _pod(a: Attributes) -> corev1.Pod | None:
        """The pod, when this plugin has anything to say about the request (shouldIgnore)."""
        if not a.is_core("pods") or a.subresource not in ("", "ephemeralcontainers"):
            return None
        return a.object if isinstance(a.object, corev1.Pod) else None

    async def admit(self, a: Attributes) -> None:
        pod = self._pod(a)
        if pod is None or a.operation != CREATE:
            return
        if not await self.wait_for_ready():
            raise forbidden(a, "not yet ready to handle request")
        if MIRROR_POD_ANNOTATION in pod.metadata.annotations:
            # The kubelet deletes a mirror pod whose spec differs from its manifest: never mutate one.
            await self.validate(a)
            return
        spec = pod.spec
        if not spec.serviceAccountName:
            spec.serviceAccountName = DEFAULT_SERVICE_ACCOUNT_NAME
        # v1 writes the deprecated field beside the new one.
        spec.serviceAccount = spec.serviceAccountName
        account = await self._service_account(a, spec.serviceAccountName)
        if self.mount_service_account_token and _should_automount(account, pod):
            mount_service_account_token(pod)
        if not spec.imagePullSecrets:
            for ref in account.imagePullSecrets:
                spec.imagePullSecrets.add(name=ref.name)
        await self.validate(a)

    async def validate(self, a: Attributes) -> None:
        pod = self._pod(a)
        if pod is None:
            return
        if not await self.wait_for_ready():
            raise forbidden(a, "not yet ready to handle request")
        if a.operation == UPDATE and a.subresource == "ephemeralcontainers":
            await self._limit_ephemeral_container_secret_references(a, pod)
            return
        if a.operation != CREATE:
            return
        if MIRROR_POD_ANNOTATION in pod.metadata.annotations:
            _validate_mirror_pod(a, pod)
            return
        if not pod.spec.serviceAccountName:
            raise forbidden(a, f"no service account specified for pod {a.namespace}/{pod.metadata.name}")
        account = await self._service_account(a, pod.spec.serviceAccountName)
        if _enforce_mountable_secrets(account):
            problem = _secret_reference_problem(account, pod)
            if problem:
                raise forbidden(a, problem)

    async def _limit_ephemeral_container_secret_references(self, a: Attributes, pod: corev1.Pod) -> None:
        if not pod.spec.serviceAccountName:
            # Upstream's fix for CVE-2024-3177: without an account there is nothing to check against.
            raise forbidden(a, f"no service account specified for pod {a.namespace}/{pod.metadata.name}")
        account = await self._service_account(a, pod.spec.serviceAccountName)
        if not _enforce_mountable_secrets(account):
            return
        mountable = {ref.name for ref in account.secrets}
        for container in pod.spec.ephemeralContainers:
            for env in container.env:
                ref = env.valueFrom.secretKeyRef
                if env.HasField("valueFrom") and env.valueFrom.HasField("secretKeyRef") and ref.name not in mountable:
                    raise forbidden(a, f'ephemeral container {container.name} with envVar {env.name} referencing '
                                       f'secret.secretName="{ref.name}" is not allowed because service account '
                                       f"{account.metadata.name} does not reference that secret")
            for source in container.envFrom:
                if source.HasField("secretRef") and source.secretRef.name not in mountable:
                    raise forbidden(a, f'ephemeral container {container.name} with envFrom referencing '
                                       f'secret.secretName="{source.secretRef.name}" is not allowed because service '
                                       f"account {account.metadata.name} does not reference that secret")

    async def _service_account(self, a: Attributes, name: str) -> corev1.ServiceAccount:
        try:
            return await self._get_service_account(a.namespace, name)
        except StatusError as err:
            raise forbidden(a, f"error looking up service account {a.namespace}/{name}: {err.message}") from None

    async def _get_service_account(self, namespace: str, name: str) -> corev1.ServiceAccount:
        cached = self.service_accounts.get(name, namespace)
        if isinstance(cached, corev1.ServiceAccount):
            return cached
        # Not in the cache yet: ask the registry; "default" a few times, its controller may be creating it.
        attempts = 10 if name == DEFAULT_SERVICE_ACCOUNT_NAME else 1
        interval = random.uniform(0.1, 0.2)
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(interval)
            try:
                found = await self.client.get(self.service_account_kind, name, namespace)
            except StatusError as err:
                if err.code != 404:
                    raise
                continue
            assert isinstance(found, corev1.ServiceAccount)
            return found
        raise StatusError(404, "NotFound", f'serviceaccount "{name}" not found', name=name, kind="serviceaccount")


def _should_automount(account: corev1.ServiceAccount, pod: corev1.Pod) -> bool:
    if pod.spec.HasField("automountServiceAccountToken"):
        return pod.spec.automountServiceAccountToken
    if account.HasField("automountServiceAccountToken"):
        return account.automountServiceAccountToken
    return True


def mount_service_account_token(pod: corev1.Pod) -> None:
    """Mount the token volume in every container and init container that has nothing at its path."""
    spec = pod.spec
    volume_name = ""
    for volume in spec.volumes:
        if volume.name.startswith(SERVICE_ACCOUNT_VOLUME_NAME + "-"):
            volume_name = volume.name
            break
    has_volume = bool(volume_name)
    if not volume_name:
        volume_name = generate_name(SERVICE_ACCOUNT_VOLUME_NAME + "-")
    needs_volume = False
    for container in (*spec.initContainers, *spec.containers):
        if any(m.mountPath == DEFAULT_API_TOKEN_MOUNT_PATH for m in container.volumeMounts):
            continue
        container.volumeMounts.add(name=volume_name, readOnly=True, mountPath=DEFAULT_API_TOKEN_MOUNT_PATH)
        needs_volume = True
    if needs_volume and not has_volume:
        spec.volumes.add(name=volume_name).projected.CopyFrom(token_volume_source())


def _enforce_mountable_secrets(account: corev1.ServiceAccount) -> bool:
    value = account.metadata.annotations.get(ENFORCE_MOUNTABLE_SECRETS_ANNOTATION)
    # strconv.ParseBool's spellings of true.
    return value in ("1", "t", "T", "TRUE", "true", "True")


def _secret_reference_problem(account: corev1.ServiceAccount, pod: corev1.Pod) -> str:
    """Why the pod may not reference a secret its service account does not list ("" when it may)."""
    sa = account.metadata.name
    mountable = {ref.name for ref in account.secrets}
    for volume in pod.spec.volumes:
        if volume.HasField("secret") and volume.secret.secretName not in mountable:
            return (f'volume with secret.secretName="{volume.secret.secretName}" is not allowed because service '
                    f"account {sa} does not reference that secret")
    for label, containers in (("init container", pod.spec.initContainers), ("container", pod.spec.containers)):
        for container in containers:
            for env in container.env:
                if env.HasField("valueFrom") and env.valueFrom.HasField("secretKeyRef"):
                    ref = env.valueFrom.secretKeyRef.name
                    if ref not in mountable:
                        return (f'{label} {container.name} with envVar {env.name} referencing secret.secretName="{ref}" '
                                f"is not allowed because service account {sa} does not reference that secret")
            for source in container.envFrom:
                if source.HasField("secretRef") and source.secretRef.name not in mountable:
                    return (f'{label} {container.name} with envFrom referencing secret.secretName="{source.secretRef.name}" '
                            f"is not allowed because service account {sa} does not reference that secret")
    pull_secrets = {pull.name for pull in account.imagePullSecrets}
    for i, pull in enumerate(pod.spec.imagePullSecrets):
        if pull.name not in pull_secrets:
            return (f'imagePullSecrets[{i}].name="{pull.name}" is not allowed because service account {sa} '
                    "does not reference that imagePullSecret")
    return ""


def _validate_mirror_pod(a: Attributes, pod: corev1.Pod) -> None:
    if pod.spec.serviceAccountName:
        raise forbidden(a, "a mirror pod may not reference service accounts")
    if _references_secrets(pod):
        raise forbidden(a, "a mirror pod may not reference secrets")
    for volume in pod.spec.volumes:
        if volume.HasField("projected") and any(s.HasField("serviceAccountToken") for s in volume.projected.sources):
            raise forbidden(a, "a mirror pod may not use ServiceAccountToken volume projections")


# Volume sources that name a secret in a secretRef (podutil.VisitPodSecretNames).
_SECRET_REF_VOLUME_SOURCES = ("cephfs", "cinder", "flexVolume", "rbd", "scaleIO", "iscsi", "storageos")


def _volume_references_secret(volume: corev1.Volume) -> bool:
    if volume.HasField("secret"):
        return True
    if volume.HasField("projected") and any(s.HasField("secret") for s in volume.projected.sources):
        return True
    if volume.HasField("azureFile") and volume.azureFile.secretName:
        return True
    if volume.HasField("csi") and volume.csi.HasField("nodePublishSecretRef"):
        return True
    return any(volume.HasField(source) and getattr(volume, source).HasField("secretRef")
               for source in _SECRET_REF_VOLUME_SOURCES)


def _references_secrets(pod: corev1.Pod) -> bool:
    """Whether podutil.VisitPodSecretNames would visit any secret of the pod's."""
    spec = pod.spec
    if spec.imagePullSecrets:
        return True
    if any(_volume_references_secret(volume) for volume in spec.volumes):
        return True
    environments = [(c.env, c.envFrom) for c in (*spec.initContainers, *spec.containers)]
    environments += [(c.env, c.envFrom) for c in spec.ephemeralContainers]
    for env, env_from in environments:
        if any(e.HasField("valueFrom") and e.valueFrom.HasField("secretKeyRef") for e in env):
            return True
        if any(s.HasField("secretRef") for s in env_from):
            return True
    return False
