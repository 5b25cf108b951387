"""Whether a webhook is called for a request (upstream's ShouldCallHook and rules.Matcher).

In order: namespaceSelector (cluster-scoped objects other than namespaces are never exempt),
objectSelector (the new or the old object's labels), then the rules: scope, operation, API
group, version and resource/subresource, each with "*". With matchPolicy Equivalent a rule may
also match the request through another version of the same resource.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apimachinery.client import RegistryClient
from apimachinery.errors import StatusError
from apimachinery.informer import Informer
from apimachinery.scheme import GroupVersionKind, GroupVersionResource, Kind
from kubeproto.api.admissionregistration.v1 import generated_pb2 as admv1
from kubeproto.api.core.v1 import generated_pb2 as corev1
from services.admission.attributes import CREATE, UPDATE, Attributes, internal_error, labels_of, new_forbidden
from services.admission.webhook.source import WebhookAccessor

NAMESPACE_RESOURCE = GroupVersionResource("", "v1", "namespaces")
# Webhooks never see the objects that configure admission, so a bad webhook cannot lock itself in.
EXEMPT_KINDS = frozenset({
    "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"})


@dataclass(frozen=True)
class Invocation:
    """The webhook to call, and the resource and kind it is called as."""

    webhook: WebhookAccessor
    resource: GroupVersionResource
    subresource: str
    kind: GroupVersionKind


def is_exempt(a: Attributes) -> bool:
    return a.kind.group == "admissionregistration.k8s.io" and a.kind.kind in EXEMPT_KINDS


def _exact_or_wildcard(items: list[str], requested: str) -> bool:
    return any(item == "*" or item == requested for item in items)


def rule_matches(rule: admv1.RuleWithOperations, a: Attributes, resource: GroupVersionResource) -> bool:
    scope = rule.scope if rule.HasField("scope") else "*"
    if scope == "Namespaced":
        if resource == NAMESPACE_RESOURCE or not a.namespace:
            return False
    elif scope == "Cluster":
        if resource != NAMESPACE_RESOURCE and a.namespace:
            return False
    elif scope != "*":
        return False
    if not _exact_or_wildcard(list(rule.operations), a.operation):
        return False
    if not _exact_or_wildcard(list(rule.apiGroups), resource.group):
        return False
    if not _exact_or_wildcard(list(rule.apiVersions), resource.version):
        return False
    for item in rule.resources:
        res, _, sub = item.partition("/")
        if (res == "*" or res == resource.resource) and (sub == "*" or sub == a.subresource):
            return True
    return False


class Matcher:
    def __init__(self, namespaces: Informer | None, client: RegistryClient, namespace_kind: Kind,
                 equivalents: Callable[[GroupVersionResource], list[tuple[GroupVersionResource, GroupVersionKind]]]
                 ) -> None:
        self.namespaces = namespaces
        self.client = client
        self.namespace_kind = namespace_kind
        self.equivalents = equivalents

    async def should_call(self, hook: WebhookAccessor, a: Attributes) -> Invocation | None:
        ns_matches, ns_error = await self._namespace_matches(hook, a)
        if not ns_matches and ns_error is None:
            return None
        obj_matches, obj_error = self._object_matches(hook, a)
        if not obj_matches and obj_error is None:
            return None

        invocation = None
        for rule in hook.webhook.rules:
            if rule_matches(rule, a, a.resource):
                invocation = Invocation(hook, a.resource, a.subresource, a.kind)
                break
        if invocation is None and hook.match_policy_equivalent:
            invocation = self._equivalent(hook, a)
        if invocation is None:
            return None
        if ns_error is not None:
            raise ns_error
        if obj_error is not None:
            raise obj_error
        if hook.webhook.matchConditions:
            # CEL is not evaluated here: an unevaluable condition fails as upstream's matcher does.
            if hook.failure_policy_ignore:
                return None
            raise new_forbidden(a.resource.group, a.resource.resource, a.name,
                                f"matchConditions of webhook {hook.name!s} cannot be evaluated: "
                                "CEL match conditions are not supported by this server")
        return invocation

    def _equivalent(self, hook: WebhookAccessor, a: Attributes) -> Invocation | None:
        # Earlier rules take precedence over later ones, whatever the equivalent.
        alternatives = [(r, k) for r, k in self.equivalents(a.resource) if r != a.resource]
        for rule in hook.webhook.rules:
            for resource, kind in alternatives:
                if rule_matches(rule, a, resource):
                    return Invocation(hook, resource, a.subresource, kind)
        return None

    async def _namespace_matches(self, hook: WebhookAccessor, a: Attributes) -> tuple[bool, StatusError | None]:
        is_namespace_request = a.resource.resource == "namespaces" and a.resource.group == ""
        namespace = a.namespace or (a.name if is_namespace_request else "")
        if not namespace and not is_namespace_request:
            return True, None  # cluster-scoped objects are never exempted
        if hook.namespace_selector_error is not None:
            return False, internal_error(hook.namespace_selector_error.message)
        selector = hook.namespace_selector
        if selector is None or selector.empty():
            return True, None
        try:
            labels = await self._namespace_labels(a, namespace, is_namespace_request)
        except StatusError as err:
            return False, err if err.code == 404 else internal_error(err.message)
        return selector.matches(labels), None

    async def _namespace_labels(self, a: Attributes, namespace: str, is_namespace_request: bool) -> dict[str, str]:
        # A namespace being created or updated is judged by its new labels; a deleted one by the stored.
        if is_namespace_request and not a.subresource and a.operation in (CREATE, UPDATE):
            return dict(labels_of(a.object))
        found = self.namespaces.get(namespace) if self.namespaces is not None else None
        if found is None:
            found = await self.client.get(self.namespace_kind, namespace)
        assert isinstance(found, corev1.Namespace)
        return dict(found.metadata.labels)

    @staticmethod
    def _object_matches(hook: WebhookAccessor, a: Attributes) -> tuple[bool, StatusError | None]:
        if hook.object_selector_error is not None:
            return False, internal_error(hook.object_selector_error.message)
        selector = hook.object_selector
        if selector is None or selector.empty():
            return True, None
        matched = (a.object is not None and selector.matches(labels_of(a.object))) or \
                  (a.old_object is not None and selector.matches(labels_of(a.old_object)))
        return matched, None
