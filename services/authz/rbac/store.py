"""The RBAC objects the authorizer reads, kept current from informers and indexed by subject.

Upstream's rule resolver lists every ClusterRoleBinding (and every RoleBinding of the
namespace) and tests each subject; here each binding is filed under the users and groups it
names, so a decision looks at only the bindings that can apply to the caller: a handful of
dictionary lookups whatever the number of bindings in the cluster.

A ServiceAccount subject is filed under its username, system:serviceaccount:<ns>:<name>
(serviceaccount.MatchesUsername is exactly that comparison); its namespace defaults to the
RoleBinding's. Roles are looked up by name at decision time, so a role's change is seen by
every binding to it at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from google.protobuf.message import Message

from kubeproto.api.rbac.v1 import generated_pb2 as rbacv1
from services.authz.rbac.rules import Rule, compile_rules

SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:"
USER = "User"
GROUP = "Group"
SERVICE_ACCOUNT = "ServiceAccount"


@dataclass(frozen=True, slots=True)
class Subject:
    kind: str
    name: str
    namespace: str


@dataclass(frozen=True, slots=True)
class Binding:
    """A RoleBinding (namespace set) or ClusterRoleBinding (namespace empty)."""

    name: str
    namespace: str
    role_kind: str
    role_name: str
    subjects: tuple[Subject, ...]

    def applies_to(self, username: str, groups: frozenset[str] | list[str]) -> Subject | None:
        """appliesTo: the first subject naming this user, one of its groups or its service account."""
        for s in self.subjects:
            if s.kind == USER:
                if s.name == username:
                    return s
            elif s.kind == GROUP:
                if s.name in groups:
                    return s
            elif s.kind == SERVICE_ACCOUNT:
                namespace = s.namespace or self.namespace
                if namespace and username == f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{s.name}":
                    return s
        return None

    def index_keys(self) -> Iterator[tuple[str, str]]:
        """("u", username) and ("g", group) keys this binding is filed under."""
        for s in self.subjects:
            if s.kind == USER:
                yield "u", s.name
            elif s.kind == GROUP:
                yield "g", s.name
            elif s.kind == SERVICE_ACCOUNT:
                namespace = s.namespace or self.namespace
                if namespace:
                    yield "u", f"{SERVICE_ACCOUNT_PREFIX}{namespace}:{s.name}"


def binding_from(msg: rbacv1.RoleBinding | rbacv1.ClusterRoleBinding, namespace: str) -> Binding:
    ref = msg.roleRef
    return Binding(msg.metadata.name, namespace, ref.kind, ref.name,
                   tuple(Subject(s.kind, s.name, s.namespace) for s in msg.subjects))


Index = dict[str, dict[str, dict[str, Binding]]]  # "u"/"g" -> subject name -> binding key -> binding


def _file(index: Index, binding: Binding, key: str) -> None:
    for kind, name in binding.index_keys():
        index.setdefault(kind, {}).setdefault(name, {})[key] = binding


def _unfile(index: Index, binding: Binding, key: str) -> None:
    for kind, name in binding.index_keys():
        by_name = index.get(kind, {})
        entries = by_name.get(name)
        if entries is not None:
            entries.pop(key, None)
            if not entries:
                del by_name[name]


class PolicyStore:
    """Roles, ClusterRoles and bindings, with the bindings indexed by subject.

    Informer handlers (on_cluster_role, ...) keep it current; they and the decisions run on
    the one event loop, so a decision never sees a half-applied change.
    """

    def __init__(self) -> None:
        self.cluster_roles: dict[str, tuple[Rule, ...]] = {}
        # The ClusterRoles with an aggregationRule: all the escalation guard needs of the objects
        # beyond their rules (the objects themselves are the informer's).
        self.aggregated_cluster_roles: set[str] = set()
        self.roles: dict[tuple[str, str], tuple[Rule, ...]] = {}
        self.cluster_role_bindings: dict[str, Binding] = {}
        self.role_bindings: dict[tuple[str, str], Binding] = {}
        # ClusterRoleBindings by subject; RoleBindings by namespace, then subject.
        self.cluster_index: Index = {"u": {}, "g": {}}
        self.namespace_index: dict[str, Index] = {}

    # informer handlers ----------------------------------------------------------------

    def on_cluster_role(self, event: str, obj: Message, old: Message | None) -> None:
        role: rbacv1.ClusterRole = obj  # type: ignore[assignment]
        name = role.metadata.name
        if event == "DELETED":
            self.cluster_roles.pop(name, None)
            self.aggregated_cluster_roles.discard(name)
        else:
            self.cluster_roles[name] = compile_rules(role.rules)
            if role.aggregationRule.clusterRoleSelectors:
                self.aggregated_cluster_roles.add(name)
            else:
                self.aggregated_cluster_roles.discard(name)

    def on_role(self, event: str, obj: Message, old: Message | None) -> None:
        role: rbacv1.Role = obj  # type: ignore[assignment]
        key = (role.metadata.namespace, role.metadata.name)
        if event == "DELETED":
            self.roles.pop(key, None)
        else:
            self.roles[key] = compile_rules(role.rules)

    def on_cluster_role_binding(self, event: str, obj: Message, old: Message | None) -> None:
        msg: rbacv1.ClusterRoleBinding = obj  # type: ignore[assignment]
        name = msg.metadata.name
        previous = self.cluster_role_bindings.pop(name, None)
        if previous is not None:
            _unfile(self.cluster_index, previous, name)
        if event != "DELETED":
            binding = binding_from(msg, "")
            self.cluster_role_bindings[name] = binding
            _file(self.cluster_index, binding, name)

    def on_role_binding(self, event: str, obj: Message, old: Message | None) -> None:
        msg: rbacv1.RoleBinding = obj  # type: ignore[assignment]
        namespace, name = msg.metadata.namespace, msg.metadata.name
        previous = self.role_bindings.pop((namespace, name), None)
        index = self.namespace_index.setdefault(namespace, {"u": {}, "g": {}})
        if previous is not None:
            _unfile(index, previous, name)
        if event != "DELETED":
            binding = binding_from(msg, namespace)
            self.role_bindings[(namespace, name)] = binding
            _file(index, binding, name)
        elif not index["u"] and not index["g"]:
            del self.namespace_index[namespace]

    # reads --------------------------------------------------------------------------

    def role_rules(self, binding: Binding) -> tuple[Rule, ...] | None:
        """GetRoleReferenceRules from the informers' copies; None when the role does not exist."""
        if binding.role_kind == "ClusterRole":
            return self.cluster_roles.get(binding.role_name)
        if binding.role_kind == "Role":
            return self.roles.get((binding.namespace, binding.role_name))
        return None

    def candidates(self, username: str, groups: list[str] | frozenset[str], namespace: str
                   ) -> Iterator[Binding]:
        """The bindings that may apply to this user: ClusterRoleBindings first, then the
        RoleBindings of the namespace (as VisitRulesFor visits them), each once."""
        yield from self._from_index(self.cluster_index, username, groups)
        if namespace:
            index = self.namespace_index.get(namespace)
            if index is not None:
                yield from self._from_index(index, username, groups)

    @staticmethod
    def _from_index(index: Index, username: str, groups: list[str] | frozenset[str]) -> Iterator[Binding]:
        seen: set[str] = set()
        lists = []
        own = index["u"].get(username)
        if own:
            lists.append(own)
        by_group = index["g"]
        for group in groups:
            entries = by_group.get(group)
            if entries:
                lists.append(entries)
        if len(lists) == 1:
            yield from lists[0].values()
            return
        for entries in lists:
            for key, binding in entries.items():
                if key not in seen:
                    seen.add(key)
                    yield binding
