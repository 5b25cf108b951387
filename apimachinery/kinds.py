"""The built-in kinds this server serves: adding a kind is adding a line here.

Each line names the kind's schema definition, its REST resource and scope. The
proto generator (tools/genproto.py), the codec and the scheme all read this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class KindInfo:
    group: str
    version: str
    kind: str
    resource: str
    namespaced: bool
    definition: str
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    # Virtual kinds (reviews, TokenRequest) are created and answered, never stored.
    stored: bool = True
    subresources: tuple[str, ...] = ()
    list_definition: str = field(default="")
    # A PUT of a missing name creates it (the strategy's AllowCreateOnUpdate upstream).
    create_on_update: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def singular(self) -> str:
        return self.kind.lower()


def _k(group: str, version: str, kind: str, resource: str, namespaced: bool, package: str, **kw: object) -> KindInfo:
    definition = f"{package}.{kind}"
    stored = kw.get("stored", True)
    return KindInfo(
        group, version, kind, resource, namespaced, definition,
        list_definition=f"{definition}List" if stored else "",
        **kw,  # type: ignore[arg-type]
    )


# v1.LabelMetadataName: every namespace carries its own name under this label (for selectors).
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"

CORE = "io.k8s.api.core.v1"
RBAC = "io.k8s.api.rbac.v1"
STORAGE = "io.k8s.api.storage.v1"
AUTHN = "io.k8s.api.authentication.v1"
AUTHZ = "io.k8s.api.authorization.v1"
ADMREG = "io.k8s.api.admissionregistration.v1"
COORD = "io.k8s.api.coordination.v1"
APIEXT = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1"
APIREG = "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1"
EVENTS = "io.k8s.api.events.v1"

BUILTIN_KINDS: tuple[KindInfo, ...] = (
    _k("", "v1", "Namespace", "namespaces", False, CORE, short_names=("ns",), subresources=("status", "finalize")),
    _k("", "v1", "ConfigMap", "configmaps", True, CORE, short_names=("cm",)),
    _k("", "v1", "Secret", "secrets", True, CORE),
    _k("", "v1", "ServiceAccount", "serviceaccounts", True, CORE, short_names=("sa",), subresources=("token",)),
    _k("", "v1", "Event", "events", True, CORE, short_names=("ev",), create_on_update=True),
    _k("", "v1", "Pod", "pods", True, CORE, short_names=("po",), categories=("all",), subresources=("status",)),
    _k("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True, CORE, short_names=("pvc",), subresources=("status",)),
    _k("", "v1", "LimitRange", "limitranges", True, CORE, short_names=("limits",)),
    _k("", "v1", "ResourceQuota", "resourcequotas", True, CORE, short_names=("quota",), subresources=("status",)),
    _k("events.k8s.io", "v1", "Event", "events", True, EVENTS, short_names=("ev",), create_on_update=True),
    _k("rbac.authorization.k8s.io", "v1", "Role", "roles", True, RBAC, create_on_update=True),
    _k("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False, RBAC, create_on_update=True),
    _k("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True, RBAC, create_on_update=True),
    _k("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False, RBAC,
       create_on_update=True),
    _k("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, STORAGE, short_names=("sc",)),
    _k("coordination.k8s.io", "v1", "Lease", "leases", True, COORD, create_on_update=True),
    _k("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", False, ADMREG),
    _k("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", False, ADMREG),
    _k("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False, APIEXT,
       short_names=("crd", "crds"), subresources=("status",)),
    _k("apiregistration.k8s.io", "v1", "APIService", "apiservices", False, APIREG, subresources=("status",)),
    _k("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", False, AUTHN, stored=False),
    _k("authentication.k8s.io", "v1", "SelfSubjectReview", "selfsubjectreviews", False, AUTHN, stored=False),
    _k("authentication.k8s.io", "v1", "TokenRequest", "tokenrequests", True, AUTHN, stored=False),
    _k("authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", False, AUTHZ, stored=False),
    _k("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", False, AUTHZ, stored=False),
    _k("authorization.k8s.io", "v1", "SelfSubjectRulesReview", "selfsubjectrulesreviews", False, AUTHZ, stored=False),
    _k("authorization.k8s.io", "v1", "LocalSubjectAccessReview", "localsubjectaccessreviews", True, AUTHZ, stored=False),
)
