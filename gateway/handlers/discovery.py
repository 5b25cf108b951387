"""Discovery: /api, /apis, /apis/<group>, /api/v1, /apis/<group>/<version>, and aggregated discovery v2.

Built once from the served kinds. Resources list their verbs, short names,
categories, scope, singular name and storageVersionHash (stored kinds); their
subresources (status, finalize, token) follow them. kubectl asks for the
aggregated form (`Accept: application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList`)
on /api and /apis and gets every group-version's resources in two requests.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from apimachinery.kinds import KindInfo

STORED_VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
SUBRESOURCE_VERBS = {"status": ["get", "patch", "update"], "finalize": ["update"], "token": ["create"]}
DISCOVERY_GROUP = "apidiscovery.k8s.io"
DISCOVERY_VERSIONS = ("v2", "v2beta1")
DISCOVERY_KIND = "APIGroupDiscoveryList"
# Kinds with no resource of their own: TokenRequest is only serviceaccounts/token.
SUBRESOURCE_ONLY = {("authentication.k8s.io", "TokenRequest")}
SUBRESOURCE_KINDS = {("serviceaccounts", "token"): ("authentication.k8s.io", "v1", "TokenRequest")}


def storage_version_hash(group: str, version: str, kind: str) -> str:
    """discovery.StorageVersionHash: the first 8 bytes of sha256("<group>/<version>/<kind>"), base64."""
    return base64.b64encode(hashlib.sha256(f"{group}/{version}/{kind}".encode()).digest()[:8]).decode()


def verbs_of(info: KindInfo) -> list[str]:
    if not info.stored:
        return ["create"]
    if (info.group, info.resource) == ("", "namespaces"):
        return [v for v in STORED_VERBS if v != "deletecollection"]  # no collection delete of namespaces
    return list(STORED_VERBS)


def served(kinds: tuple[KindInfo, ...]) -> list[KindInfo]:
    return [k for k in kinds if (k.group, k.kind) not in SUBRESOURCE_ONLY]


@dataclass(frozen=True)
class GroupVersion:
    group: str
    version: str

    @property
    def text(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version


class Discovery:
    def __init__(self, kinds: tuple[KindInfo, ...]) -> None:
        self.kinds = served(kinds)
        self.by_gv: dict[GroupVersion, list[KindInfo]] = {}
        for k in self.kinds:
            self.by_gv.setdefault(GroupVersion(k.group, k.version), []).append(k)
        # Groups in the order kube-apiserver lists them would need its priorities; ours: core, then by name.
        self.groups = sorted({gv.group for gv in self.by_gv if gv.group})

    def versions(self, group: str) -> list[str]:
        return sorted(gv.version for gv in self.by_gv if gv.group == group)

    def serves(self, group: str, version: str) -> bool:
        return GroupVersion(group, version) in self.by_gv

    # legacy documents --------------------------------------------------------------------------

    def api_versions(self, server_address: str) -> dict[str, Any]:
        return {"kind": "APIVersions", "versions": self.versions(""),
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}]}

    def api_group(self, group: str) -> dict[str, Any]:
        versions = [{"groupVersion": f"{group}/{v}", "version": v} for v in self.versions(group)]
        return {"name": group, "versions": versions, "preferredVersion": versions[0]}

    def api_group_list(self) -> dict[str, Any]:
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [self.api_group(g) for g in self.groups]}

    def api_group_document(self, group: str) -> dict[str, Any]:
        return {"kind": "APIGroup", "apiVersion": "v1", **self.api_group(group)}

    def _resources(self, gv: GroupVersion) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for k in sorted(self.by_gv.get(gv, []), key=lambda k: k.resource):
            entry: dict[str, Any] = {"name": k.resource, "singularName": k.singular, "namespaced": k.namespaced,
                                     "kind": k.kind, "verbs": verbs_of(k)}
            if k.short_names:
                entry["shortNames"] = list(k.short_names)
            if k.categories:
                entry["categories"] = list(k.categories)
            if k.stored:
                entry["storageVersionHash"] = storage_version_hash(k.group, k.version, k.kind)
            out.append(entry)
            for sub in k.subresources:
                sub_entry: dict[str, Any] = {"name": f"{k.resource}/{sub}", "singularName": "",
                                             "namespaced": k.namespaced, "kind": k.kind,
                                             "verbs": SUBRESOURCE_VERBS.get(sub, ["get"])}
                other = SUBRESOURCE_KINDS.get((k.resource, sub))
                if other is not None:
                    sub_entry["group"], sub_entry["version"], sub_entry["kind"] = other
                out.append(sub_entry)
        return out

    def resource_list(self, group: str, version: str) -> dict[str, Any]:
        gv = GroupVersion(group, version)
        return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv.text, "resources": self._resources(gv)}

    # aggregated discovery (apidiscovery.k8s.io/v2) --------------------------------------------

    def _aggregated_resources(self, gv: GroupVersion) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for k in sorted(self.by_gv.get(gv, []), key=lambda k: k.resource):
            entry: dict[str, Any] = {
                "resource": k.resource,
                "responseKind": {"group": "", "version": "", "kind": k.kind},
                "scope": "Namespaced" if k.namespaced else "Cluster",
                "singularResource": k.singular,
                "verbs": verbs_of(k),
            }
            if k.short_names:
                entry["shortNames"] = list(k.short_names)
            if k.categories:
                entry["categories"] = list(k.categories)
            subs = []
            for sub in k.subresources:
                other = SUBRESOURCE_KINDS.get((k.resource, sub))
                kind = ({"group": other[0], "version": other[1], "kind": other[2]} if other
                        else {"group": "", "version": "", "kind": k.kind})
                subs.append({"subresource": sub, "responseKind": kind, "verbs": SUBRESOURCE_VERBS.get(sub, ["get"])})
            if subs:
                entry["subresources"] = subs
            out.append(entry)
        return out

    def _aggregated_group(self, group: str) -> dict[str, Any]:
        meta: dict[str, Any] = {"name": group, "creationTimestamp": None} if group else {"creationTimestamp": None}
        versions = [{"version": v, "resources": self._aggregated_resources(GroupVersion(group, v)),
                     "freshness": "Current"} for v in sorted(self.versions(group), reverse=True)]
        return {"metadata": meta, "versions": versions}

    def aggregated(self, legacy: bool, version: str = "v2") -> dict[str, Any]:
        items = [self._aggregated_group("")] if legacy else [self._aggregated_group(g) for g in self.groups]
        return {"kind": DISCOVERY_KIND, "apiVersion": f"{DISCOVERY_GROUP}/{version}", "metadata": {}, "items": items}
