"""Putting the service together: the informers the enabled plugins read, the plugins in order,
and the controllers. One informer per resource, shared by every plugin and controller."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Protocol

from apimachinery import logs
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.informer import Informer
from apimachinery.scheme import Kind, Scheme
from services.admission.caches import NamespaceIndex
from services.admission.chain import Chain, Plugin
from services.admission.controllers.resourcequota import ResourceQuotaController
from services.admission.controllers.serviceaccounts import ServiceAccountsController
from services.admission.plugins.always import AlwaysAdmit, AlwaysDeny
from services.admission.plugins.default_storage_class import DefaultStorageClass
from services.admission.plugins.limit_ranger import LimitRanger
from services.admission.plugins.namespace_lifecycle import NamespaceLifecycle
from services.admission.plugins.service_account import ServiceAccount
from services.admission.quota.accessor import QuotaAccessor
from services.admission.quota.admission import ResourceQuota
from services.admission.quota.evaluators import (
    IGNORED_RESOURCES,
    Evaluator,
    ObjectCountEvaluator,
    PersistentVolumeClaimEvaluator,
    PodEvaluator,
    Registry,
)
from services.admission.webhook.client import WebhookClient
from services.admission.webhook.dispatch import Dispatcher
from services.admission.webhook.equivalence import EquivalentResources
from services.admission.webhook.matching import Matcher
from services.admission.webhook.mutating import MutatingAdmissionWebhook
from services.admission.webhook.source import WebhookSource
from services.admission.webhook.validating import ValidatingAdmissionWebhook

log = logs.get("admission")

CONTROLLERS = ("serviceaccount", "resourcequota")


class Controller(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Admission:
    chain: Chain
    informers: dict[str, Informer] = field(default_factory=dict)
    controllers: list[Controller] = field(default_factory=list)
    webhook_client: WebhookClient | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    async def start(self, sync_timeout: float) -> None:
        """Start the informers and wait (bounded) for them: until they are synced, plugins that need
        them refuse with 403 "not yet ready to handle request", as upstream's do."""
        for informer in self.informers.values():
            informer.start()
        if self.webhook_client is not None:
            await self.webhook_client.start()
        try:
            await asyncio.wait_for(asyncio.gather(*(i.synced.wait() for i in self.informers.values())), sync_timeout)
        except TimeoutError:
            missing = [name for name, i in self.informers.items() if not i.synced.is_set()]
            log.warning("informers not synced yet, serving anyway", resources=missing)
        for controller in self.controllers:
            self._tasks.append(asyncio.create_task(controller.start()))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for controller in self.controllers:
            await controller.stop()
        for plugin in self.chain.plugins:
            await plugin.stop()
        for informer in self.informers.values():
            await informer.stop()
        if self.webhook_client is not None:
            await self.webhook_client.stop()


def _kind_or_none(scheme: Scheme, group: str, resource: str) -> Kind | None:
    for kind in scheme.kinds():
        if kind.info.group == group and kind.info.resource == resource and kind.info.stored:
            return kind
    return None


def quota_registry(scheme: Scheme) -> Registry:
    evaluators: list[Evaluator] = [
        PodEvaluator(_kind_or_none(scheme, "", "pods")),
        PersistentVolumeClaimEvaluator(_kind_or_none(scheme, "", "persistentvolumeclaims")),
    ]
    # An object count for every namespaced kind stored here, so the controller can count them.
    own = {(e.group, e.resource) for e in evaluators}
    for kind in scheme.kinds():
        info = kind.info
        group_resource = (info.group, info.resource)
        if info.namespaced and info.stored and group_resource not in own and group_resource not in IGNORED_RESOURCES:
            evaluators.append(ObjectCountEvaluator(info.group, info.resource, kind))
    return Registry(evaluators, lambda g, r: _kind_or_none(scheme, g, r))


def build(client: RegistryClient, lookups: RegistryClient, scheme: Scheme, plugin_names: list[str],
          controllers: set[str], resync_period: float) -> Admission:
    """``client`` lists and watches (long deadline); ``lookups`` serves live reads on a request's path."""
    informers: dict[str, Informer] = {}

    def informer(group: str, resource: str) -> Informer:
        if resource not in informers:
            informers[resource] = Informer(client, scheme.by_gvr(group, "v1", resource))
        return informers[resource]

    def kind(group: str, resource: str) -> Kind:
        return scheme.by_gvr(group, "v1", resource)

    indexes: dict[str, NamespaceIndex] = {}

    def index(resource: str) -> NamespaceIndex:
        if resource not in indexes:
            indexes[resource] = NamespaceIndex(informer("", resource))
        return indexes[resource]

    plugins: list[Plugin] = []
    webhook_client: WebhookClient | None = None
    matcher: Matcher | None = None
    dispatcher: Dispatcher | None = None
    registry = quota_registry(scheme)
    for name in plugin_names:
        if name == "AlwaysAdmit":
            plugins.append(AlwaysAdmit())
        elif name == "AlwaysDeny":
            plugins.append(AlwaysDeny())
        elif name == "NamespaceLifecycle":
            plugins.append(NamespaceLifecycle(informer("", "namespaces"), lookups, kind("", "namespaces")))
        elif name == "LimitRanger":
            plugins.append(LimitRanger(index("limitranges"), lookups, kind("", "limitranges")))
        elif name == "ServiceAccount":
            plugins.append(ServiceAccount(informer("", "serviceaccounts"), lookups, kind("", "serviceaccounts")))
        elif name == "DefaultStorageClass":
            plugins.append(DefaultStorageClass(informer("storage.k8s.io", "storageclasses")))
        elif name == "ResourceQuota":
            accessor = QuotaAccessor(index("resourcequotas"), lookups, kind("", "resourcequotas"))
            plugins.append(ResourceQuota(accessor, registry))
        elif name in ("MutatingAdmissionWebhook", "ValidatingAdmissionWebhook"):
            if webhook_client is None:
                webhook_client = WebhookClient()
                dispatcher = Dispatcher(webhook_client, scheme)
                matcher = Matcher(informer("", "namespaces"), lookups, kind("", "namespaces"),
                                  EquivalentResources(scheme))
            assert matcher is not None and dispatcher is not None
            if name == "MutatingAdmissionWebhook":
                source = WebhookSource(informer("admissionregistration.k8s.io", "mutatingwebhookconfigurations"))
                plugins.append(MutatingAdmissionWebhook(source, matcher, dispatcher, scheme))
            else:
                source = WebhookSource(informer("admissionregistration.k8s.io", "validatingwebhookconfigurations"))
                plugins.append(ValidatingAdmissionWebhook(source, matcher, dispatcher, scheme))
        else:
            raise StatusError(500, "InternalError", f"admission plugin {name} is not implemented")

    running: list[Controller] = []
    if "serviceaccount" in controllers:
        running.append(ServiceAccountsController(client, informer("", "namespaces"), informer("", "serviceaccounts"),
                                                 kind("", "serviceaccounts")))
    if "resourcequota" in controllers:
        running.append(ResourceQuotaController(client, informer("", "resourcequotas"), registry,
                                               kind("", "resourcequotas"), resync_period))
    return Admission(Chain(plugins), informers, running, webhook_client)
