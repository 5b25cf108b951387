"""Equivalent resources for matchPolicy Equivalent: the other versions of the same resource
that this server serves (upstream's EquivalentResourceMapper, built from shared storage)."""

from __future__ import annotations

from collections import defaultdict

from apimachinery.scheme import GroupVersionKind, GroupVersionResource, Scheme


class EquivalentResources:
    def __init__(self, scheme: Scheme) -> None:
        self._by_group_resource: dict[tuple[str, str], list[tuple[GroupVersionResource, GroupVersionKind]]] = \
            defaultdict(list)
        for kind in scheme.kinds():
            self._by_group_resource[(kind.gvr.group, kind.gvr.resource)].append((kind.gvr, kind.gvk))

    def __call__(self, resource: GroupVersionResource) -> list[tuple[GroupVersionResource, GroupVersionKind]]:
        return list(self._by_group_resource.get((resource.group, resource.resource), ()))
