"""The serviceaccounts controller: a ``default`` ServiceAccount in every active namespace.

Namespaces are synced when they appear or change and when their ``default`` account is
deleted; all of them once at start. Terminating namespaces are left alone, and an account
that already exists (AlreadyExists) counts as done.
"""

from __future__ import annotations

from google.protobuf.message import Message

from apimachinery import logs
from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.informer import Informer
from apimachinery.scheme import Kind, metadata_of
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission.controllers.workqueue import WorkQueue

log = logs.get("admission.serviceaccounts")

DEFAULT_SERVICE_ACCOUNTS = ("default",)


class ServiceAccountsController:
    def __init__(self, client: RegistryClient, namespaces: Informer, service_accounts: Informer,
                 service_account_kind: Kind, names: tuple[str, ...] = DEFAULT_SERVICE_ACCOUNTS) -> None:
        self.client = client
        self.namespaces = namespaces
        self.service_accounts = service_accounts
        self.service_account_kind = service_account_kind
        self.names = names
        self.queue: WorkQueue[str] = WorkQueue("serviceaccounts", self.sync)
        namespaces.add_handler(self._on_namespace)
        service_accounts.add_handler(self._on_service_account)

    def _on_namespace(self, event: str, obj: Message, old: Message | None) -> None:
        if event != "DELETED":
            self.queue.add(metadata_of(obj).name)

    def _on_service_account(self, event: str, obj: Message, old: Message | None) -> None:
        meta = metadata_of(obj)
        if event == "DELETED" and meta.name in self.names:
            self.queue.add(meta.namespace)

    async def start(self) -> None:
        # The informers' own initial events queue every namespace; the workers start once both
        # caches are synced, so that an account that exists is never created again.
        await self.namespaces.wait_synced()
        await self.service_accounts.wait_synced()
        self.queue.start()

    async def stop(self) -> None:
        await self.queue.stop()

    async def sync(self, namespace: str) -> None:
        ns = self.namespaces.get(namespace)
        if not isinstance(ns, corev1.Namespace) or ns.status.phase != "Active":
            return  # gone or terminating: nothing may be created there
        for name in self.names:
            if self.service_accounts.get(name, namespace) is not None:
                continue
            account = corev1.ServiceAccount()
            account.metadata.name = name
            account.metadata.namespace = namespace
            try:
                await self.client.create(self.service_account_kind, account, namespace)
            except StatusError as err:
                if err.code == 409 and err.reason == "AlreadyExists":
                    continue
                if err.code in (403, 404):
                    continue  # the namespace is terminating or gone
                raise
            log.info("created service account", namespace=namespace, name=name)
