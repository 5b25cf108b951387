"""The JSON of a Go zero-value object, as kube-apiserver's field manager sees a create.

On create the field manager compares the new object with an empty typed Go
object. Go writes non-pointer struct fields and fields without `omitempty` even
when empty, so that "live" object already holds e.g. `spec: {containers: null}`
for a Pod. Only maps and lists matter: a map or list that already exists in the
empty object is not itself "added", so its FieldsV1 entry has no ".". This
table lists, for the kinds served, the map- and list-valued fields Go emits.
"""

from __future__ import annotations

import copy
from typing import Any

_CORE = "io.k8s.api.core.v1."
_ZERO: dict[str, dict[str, Any]] = {
    _CORE + "Namespace": {"spec": {}, "status": {}},
    _CORE + "Pod": {"spec": {"containers": None}, "status": {}},
    _CORE + "PersistentVolumeClaim": {"spec": {"resources": {}}, "status": {}},
    _CORE + "LimitRange": {"spec": {"limits": None}},
    _CORE + "ResourceQuota": {"spec": {}, "status": {}},
    _CORE + "Event": {"involvedObject": {}, "source": {}},
    "io.k8s.api.events.v1.Event": {"regarding": {}, "deprecatedSource": {}},
    "io.k8s.api.rbac.v1.Role": {"rules": None},
    "io.k8s.api.rbac.v1.ClusterRole": {"rules": None},
    "io.k8s.api.rbac.v1.RoleBinding": {"roleRef": {}},
    "io.k8s.api.rbac.v1.ClusterRoleBinding": {"roleRef": {}},
    "io.k8s.api.coordination.v1.Lease": {"spec": {}},
    "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition": {
        "spec": {"names": {}, "versions": None},
        "status": {"acceptedNames": {}, "storedVersions": None},
    },
    "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService": {"spec": {}, "status": {}},
}


def zero_object(definition: str) -> dict[str, Any]:
    """The empty object of the kind, as the create path compares against."""
    return {"metadata": {}, **copy.deepcopy(_ZERO.get(definition, {}))}
