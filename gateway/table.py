"""meta.k8s.io/v1 Table: what `kubectl get` prints, built as kube-apiserver builds it.

kubectl asks for `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` and
prints the cells it gets. The columns and cells per kind follow kube-apiserver's
printers (pkg/printers/internalversion), kube-aggregator's APIService table and,
for kinds without a printer (Role, LimitRange, CRD, ...), the default
convertor's NAME / CREATED AT. All columns are returned, wide ones with
priority 1, as the server does; kubectl hides those without `-o wide`.

Column descriptions that upstream takes from the API documentation are read
from the schemas; the few it writes by hand are worded here.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

from apimachinery import quantity
from apimachinery.errors import bad_request
from apimachinery.kinds import KindInfo
from apimachinery.schema import definitions

TABLE_VERSION = "meta.k8s.io/v1"
Row = dict[str, Any]
Column = dict[str, Any]


# -- ages -------------------------------------------------------------------------------------


def human_duration(seconds_total: float) -> str:
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration."""
    seconds = int(seconds_total)
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return f"{seconds}s"
    minutes = seconds // 60
    if minutes < 10:
        rest = seconds % 60
        return f"{minutes}m" if rest == 0 else f"{minutes}m{rest}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = seconds // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h" if rest == 0 else f"{hours}h{rest}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        rest = hours % 24
        return f"{hours // 24}d" if rest == 0 else f"{hours // 24}d{rest}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if days == 0 else f"{hours // 24 // 365}y{days}d"
    return f"{hours // 24 // 365}y"


def _parse_time(text: Any) -> dt.datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


class _Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def since(self, text: Any) -> str:
        """translateTimestampSince: `<unknown>` for a zero time."""
        when = _parse_time(text)
        if when is None or when.year <= 1:
            return "<unknown>"
        return human_duration((self.now - when).total_seconds())


# -- columns ----------------------------------------------------------------------------------


@functools.cache
def _doc(definition: str, field: str) -> str:
    prop = definitions().get(definition, {}).get("properties", {}).get(field, {})
    return str(prop.get("description", ""))


_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_CORE = "io.k8s.api.core.v1."


def _col(name: str, kind: str = "string", description: str = "", priority: int = 0, fmt: str = "") -> Column:
    return {"name": name, "type": kind, "format": fmt, "description": description, "priority": priority}


def _name_col() -> Column:
    return _col("Name", description=_doc(_META, "name"), fmt="name")


def _age_col() -> Column:
    return _col("Age", description=_doc(_META, "creationTimestamp"))


def _m(obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, dict) else {}


def _g(obj: Any, *path: str, default: Any = None) -> Any:
    for key in path:
        if not isinstance(obj, dict) or key not in obj:
            return default
        obj = obj[key]
    return obj if obj is not None else default


# -- printers: (columns, row builder) per kind --------------------------------------------------

Printer = tuple[Callable[[], list[Column]], Callable[[dict[str, Any], _Clock], tuple[list[Any], list[dict[str, Any]]]]]


def _restartable(container: Any) -> bool:
    return isinstance(container, dict) and container.get("restartPolicy") == "Always"


def _pod_columns() -> list[Column]:
    return [
        _name_col(),
        _col("Ready", description="Containers ready out of containers in the pod."),
        _col("Status", description="The pod's state, summarised from its phase and its containers."),
        _col("Restarts", description="Container restarts, and how long ago the last one was."),
        _age_col(),
        _col("IP", description=_doc(_CORE + "PodStatus", "podIP"), priority=1),
        _col("Node", description=_doc(_CORE + "PodSpec", "nodeName"), priority=1),
        _col("Nominated Node", description=_doc(_CORE + "PodStatus", "nominatedNodeName"), priority=1),
        _col("Readiness Gates", description=_doc(_CORE + "PodSpec", "readinessGates"), priority=1),
    ]


def _state(container: dict[str, Any], which: str) -> dict[str, Any] | None:
    value = _g(container, "state", which)
    return value if isinstance(value, dict) else None


def _later(a: dt.datetime | None, b: Any) -> dt.datetime | None:
    when = _parse_time(b)
    if when is None:
        return a
    return when if a is None or when > a else a


def _pod_row(pod: dict[str, Any], clock: _Clock) -> tuple[list[Any], list[dict[str, Any]]]:
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    containers = spec.get("containers") or []
    init_specs = {c.get("name"): c for c in spec.get("initContainers") or [] if isinstance(c, dict)}
    total = len(containers) + sum(1 for c in init_specs.values() if _restartable(c))
    ready = restarts = sidecar_restarts = 0
    last_restart: dt.datetime | None = None
    last_sidecar_restart: dt.datetime | None = None
    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    conditions = status.get("conditions") or []
    for cond in conditions:
        if cond.get("type") == "PodScheduled" and cond.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    row_conditions: list[dict[str, Any]] = []
    if phase == "Succeeded":
        row_conditions = [{"type": "Completed", "status": "True", "reason": "Succeeded",
                           "message": "The pod has completed successfully."}]
    elif phase == "Failed":
        row_conditions = [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]

    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for index, cs in enumerate(init_statuses):
        restarts += int(cs.get("restartCount") or 0)
        finished = _g(cs, "lastState", "terminated", "finishedAt")
        last_restart = _later(last_restart, finished)
        sidecar = _restartable(init_specs.get(cs.get("name")))
        if sidecar:
            sidecar_restarts += int(cs.get("restartCount") or 0)
            last_sidecar_restart = _later(last_sidecar_restart, finished)
        terminated, waiting = _state(cs, "terminated"), _state(cs, "waiting")
        if terminated is not None and int(terminated.get("exitCode") or 0) == 0:
            continue
        if sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            if not terminated.get("reason"):
                signal = int(terminated.get("signal") or 0)
                reason = f"Init:Signal:{signal}" if signal else f"Init:ExitCode:{int(terminated.get('exitCode') or 0)}"
            else:
                reason = "Init:" + terminated["reason"]
        elif waiting is not None and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{index}/{len(spec.get('initContainers') or [])}"
        initializing = True
        break

    initialized = next((c.get("status") == "True" for c in conditions if c.get("type") == "Initialized"), False)
    if not initializing or initialized:
        restarts, last_restart = sidecar_restarts, last_sidecar_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            last_restart = _later(last_restart, _g(cs, "lastState", "terminated", "finishedAt"))
            terminated, waiting = _state(cs, "terminated"), _state(cs, "waiting")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                signal = int(terminated.get("signal") or 0)
                reason = f"Signal:{signal}" if signal else f"ExitCode:{int(terminated.get('exitCode') or 0)}"
            elif cs.get("ready") and _state(cs, "running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            ready_cond = any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)
            reason = "Running" if ready_cond else "NotReady"

    if _m(pod).get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Failed", "Succeeded"):
            reason = "Terminating"

    restarts_text = str(restarts)
    if restarts and last_restart is not None and last_restart.year > 1:
        restarts_text = f"{restarts} ({human_duration((clock.now - last_restart).total_seconds())} ago)"
    ips = status.get("podIPs") or []
    pod_ip = (ips[0].get("ip") if ips and isinstance(ips[0], dict) else "") or "<none>"
    gates = spec.get("readinessGates") or []
    gates_text = "<none>"
    if gates:
        true_count = 0
        for gate in gates:
            for cond in conditions:
                if cond.get("type") == gate.get("conditionType"):
                    true_count += cond.get("status") == "True"
                    break
        gates_text = f"{true_count}/{len(gates)}"
    cells = [_m(pod).get("name", ""), f"{ready}/{total}", reason, restarts_text,
             clock.since(_m(pod).get("creationTimestamp")), pod_ip, spec.get("nodeName") or "<none>",
             status.get("nominatedNodeName") or "<none>", gates_text]
    return cells, row_conditions


def _simple(columns: Callable[[], list[Column]],
            cells: Callable[[dict[str, Any], _Clock], list[Any]]) -> Printer:
    return columns, lambda obj, clock: (cells(obj, clock), [])


def _age(obj: dict[str, Any], clock: _Clock) -> str:
    return clock.since(_m(obj).get("creationTimestamp"))


def _name(obj: dict[str, Any]) -> str:
    return str(_m(obj).get("name", ""))


def _event_core(obj: dict[str, Any]) -> dict[str, Any]:
    """events.k8s.io/v1 and v1 Events are one internal type: print either as the core one."""
    if "regarding" not in obj and "note" not in obj and "deprecatedSource" not in obj:
        return obj
    series = obj.get("series")
    return {
        "metadata": obj.get("metadata"), "involvedObject": obj.get("regarding") or {}, "reason": obj.get("reason"),
        "message": obj.get("note"), "source": obj.get("deprecatedSource") or {},
        "firstTimestamp": obj.get("deprecatedFirstTimestamp"), "lastTimestamp": obj.get("deprecatedLastTimestamp"),
        "count": obj.get("deprecatedCount"), "type": obj.get("type"), "eventTime": obj.get("eventTime"),
        "series": {"count": series.get("count"), "lastObservedTime": series.get("lastObservedTime")}
        if isinstance(series, dict) else None,
        "reportingComponent": obj.get("reportingController"), "reportingInstance": obj.get("reportingInstance"),
    }


def _event_columns() -> list[Column]:
    event = _CORE + "Event"
    return [
        _col("Last Seen", description=_doc(event, "lastTimestamp")),
        _col("Type", description=_doc(event, "type")),
        _col("Reason", description=_doc(event, "reason")),
        _col("Object", description=_doc(event, "involvedObject")),
        _col("Subobject", description=_doc(_CORE + "ObjectReference", "fieldPath"), priority=1),
        _col("Source", description=_doc(event, "source"), priority=1),
        _col("Message", description=_doc(event, "message")),
        _col("First Seen", description=_doc(event, "firstTimestamp"), priority=1),
        _col("Count", description=_doc(event, "count"), priority=1),
        _col("Name", description=_doc(_META, "name"), priority=1, fmt="name"),
    ]


def _event_cells(raw: dict[str, Any], clock: _Clock) -> list[Any]:
    obj = _event_core(raw)
    first = clock.since(obj.get("firstTimestamp")) if obj.get("firstTimestamp") else clock.since(obj.get("eventTime"))
    last = clock.since(obj.get("lastTimestamp")) if obj.get("lastTimestamp") else first
    count = int(obj.get("count") or 0)
    series = obj.get("series")
    if isinstance(series, dict):
        last = clock.since(series.get("lastObservedTime"))
        count = int(series.get("count") or 0)
    elif count == 0:
        count = 1
    involved = obj.get("involvedObject") or {}
    kind = str(involved.get("kind") or "").lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = obj.get("source") or {}
    component = source.get("component") or obj.get("reportingComponent") or ""
    instance = source.get("host") or obj.get("reportingInstance") or ""
    return [last, obj.get("type") or "", obj.get("reason") or "", target, involved.get("fieldPath") or "",
            f"{component}, {instance}" if instance else component, str(obj.get("message") or "").strip(), first,
            count, _name(obj)]


def _access_modes(modes: Any) -> str:
    present = set(modes or [])
    names = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP"))
    return ",".join(short for mode, short in names if mode in present)


def _pvc_columns() -> list[Column]:
    spec, status = _CORE + "PersistentVolumeClaimSpec", _CORE + "PersistentVolumeClaimStatus"
    return [
        _name_col(),
        _col("Status", description=_doc(status, "phase")),
        _col("Volume", description=_doc(spec, "volumeName")),
        _col("Capacity", description=_doc(status, "capacity")),
        _col("Access Modes", description=_doc(status, "accessModes")),
        _col("StorageClass", description="The claim's storage class."),
        _col("VolumeAttributesClass", description="The claim's volume attributes class."),
        _age_col(),
        _col("VolumeMode", description=_doc(spec, "volumeMode"), priority=1),
    ]


def _pvc_cells(obj: dict[str, Any], clock: _Clock) -> list[Any]:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    phase = "Terminating" if _m(obj).get("deletionTimestamp") else status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = _access_modes(status.get("accessModes"))
        storage = (status.get("capacity") or {}).get("storage")
        capacity = quantity.canonical(str(storage)) if storage is not None else "0"
    annotations = _m(obj).get("annotations") or {}
    storage_class = annotations.get("volume.beta.kubernetes.io/storage-class", spec.get("storageClassName") or "")
    return [_name(obj), phase, spec.get("volumeName", ""), capacity, modes, storage_class,
            spec.get("volumeAttributesClassName") or "<unset>", _age(obj, clock), spec.get("volumeMode") or "<unset>"]


def _quota_cells(obj: dict[str, Any], clock: _Clock) -> list[Any]:
    status = obj.get("status") or {}
    hard, used = status.get("hard") or {}, status.get("used") or {}
    requests: list[str] = []
    limits: list[str] = []
    for resource in sorted(hard):
        used_text = quantity.canonical(str(used[resource])) if resource in used else "0"
        text = f"{resource}: {used_text}/{quantity.canonical(str(hard[resource]))}"
        pieces = resource.split(".")
        (limits if len(pieces) > 1 and pieces[0] == "limits" else requests).append(text)
    return [_name(obj), _age(obj, clock), ", ".join(requests), ", ".join(limits)]


def _subjects(obj: dict[str, Any]) -> list[str]:
    users: list[str] = []
    groups: list[str] = []
    accounts: list[str] = []
    for subject in obj.get("subjects") or []:
        kind = subject.get("kind")
        if kind == "ServiceAccount":
            accounts.append(f"{subject.get('namespace', '')}/{subject.get('name', '')}")
        elif kind == "User":
            users.append(subject.get("name", ""))
        elif kind == "Group":
            groups.append(subject.get("name", ""))
    return [", ".join(users), ", ".join(groups), ", ".join(accounts)]


def _binding_columns(what: str) -> Callable[[], list[Column]]:
    def columns() -> list[Column]:
        return [
            _name_col(),
            _col("Role", description=_doc(f"io.k8s.api.rbac.v1.{what}", "roleRef")),
            _age_col(),
            _col("Users", description="Users the binding grants the role to.", priority=1),
            _col("Groups", description="Groups the binding grants the role to.", priority=1),
            _col("ServiceAccounts", description="Service accounts the binding grants the role to.", priority=1),
        ]

    return columns


def _binding_cells(obj: dict[str, Any], clock: _Clock) -> list[Any]:
    ref = obj.get("roleRef") or {}
    return [_name(obj), f"{ref.get('kind', '')}/{ref.get('name', '')}", _age(obj, clock), *_subjects(obj)]


def _storage_class_cells(obj: dict[str, Any], clock: _Clock) -> list[Any]:
    annotations = _m(obj).get("annotations") or {}
    default = any(annotations.get(k) == "true" for k in (
        "storageclass.kubernetes.io/is-default-class", "storageclass.beta.kubernetes.io/is-default-class"))
    name = _name(obj) + (" (default)" if default else "")
    return [name, obj.get("provisioner", ""), obj.get("reclaimPolicy") or "Delete",
            obj.get("volumeBindingMode") or "Immediate", bool(obj.get("allowVolumeExpansion") or False),
            _age(obj, clock)]


def _apiservice_cells(obj: dict[str, Any], clock: _Clock) -> list[Any]:
    service = _g(obj, "spec", "service")
    where = f"{service.get('namespace', '')}/{service.get('name', '')}" if isinstance(service, dict) else "Local"
    available = "Unknown"
    for cond in _g(obj, "status", "conditions", default=[]):
        if cond.get("type") == "Available":
            status = cond.get("status", "")
            available = f"{status} ({cond['reason']})" if status != "True" and cond.get("reason") else status
            break
    return [_name(obj), where, available, _age(obj, clock)]


def _default_columns() -> list[Column]:
    return [_name_col(), _col("Created At", "date", _doc(_META, "creationTimestamp"))]


def _default_cells(obj: dict[str, Any], _clock: _Clock) -> list[Any]:
    when = _parse_time(_m(obj).get("creationTimestamp"))
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if when else "0001-01-01T00:00:00Z"
    return [_name(obj), stamp]


def _count_col(name: str, description: str) -> Callable[[], list[Column]]:
    return lambda: [_name_col(), _col(name, "integer", description), _age_col()]


_PRINTERS: dict[tuple[str, str], Printer] = {
    ("", "Pod"): (_pod_columns, _pod_row),
    ("", "ConfigMap"): _simple(
        lambda: [_name_col(), _col("Data", description=_doc(_CORE + "ConfigMap", "data")), _age_col()],
        lambda o, c: [_name(o), len(o.get("data") or {}) + len(o.get("binaryData") or {}), _age(o, c)]),
    ("", "Secret"): _simple(
        lambda: [_name_col(), _col("Type", description=_doc(_CORE + "Secret", "type")),
                 _col("Data", description=_doc(_CORE + "Secret", "data")), _age_col()],
        lambda o, c: [_name(o), o.get("type", ""), len(o.get("data") or {}), _age(o, c)]),
    ("", "Namespace"): _simple(
        lambda: [_name_col(), _col("Status", description="The namespace's phase."), _age_col()],
        lambda o, c: [_name(o), _g(o, "status", "phase", default=""), _age(o, c)]),
    ("", "ServiceAccount"): _simple(
        lambda: [_name_col(), _col("Secrets", description=_doc(_CORE + "ServiceAccount", "secrets")), _age_col()],
        lambda o, c: [_name(o), len(o.get("secrets") or []), _age(o, c)]),
    ("", "Event"): _simple(_event_columns, _event_cells),
    ("events.k8s.io", "Event"): _simple(_event_columns, _event_cells),
    ("", "PersistentVolumeClaim"): _simple(_pvc_columns, _pvc_cells),
    ("", "ResourceQuota"): _simple(
        lambda: [_name_col(), _age_col(),
                 _col("Request", description="Used and hard amounts of the quota's request resources."),
                 _col("Limit", description="Used and hard amounts of the quota's limit resources.")],
        _quota_cells),
    ("rbac.authorization.k8s.io", "RoleBinding"): _simple(_binding_columns("RoleBinding"), _binding_cells),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"): _simple(_binding_columns("ClusterRoleBinding"),
                                                                _binding_cells),
    ("storage.k8s.io", "StorageClass"): _simple(
        lambda: [_name_col(),
                 *[_col(n, description=_doc("io.k8s.api.storage.v1.StorageClass", f)) for n, f in (
                     ("Provisioner", "provisioner"), ("ReclaimPolicy", "reclaimPolicy"),
                     ("VolumeBindingMode", "volumeBindingMode"), ("AllowVolumeExpansion", "allowVolumeExpansion"))],
                 _age_col()],
        _storage_class_cells),
    ("coordination.k8s.io", "Lease"): _simple(
        lambda: [_name_col(), _col("Holder", description=_doc("io.k8s.api.coordination.v1.LeaseSpec",
                                                                "holderIdentity")), _age_col()],
        lambda o, c: [_name(o), _g(o, "spec", "holderIdentity", default=""), _age(o, c)]),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"): _simple(
        _count_col("Webhooks", "How many webhooks the configuration holds."),
        lambda o, c: [_name(o), len(o.get("webhooks") or []), _age(o, c)]),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"): _simple(
        _count_col("Webhooks", "How many webhooks the configuration holds."),
        lambda o, c: [_name(o), len(o.get("webhooks") or []), _age(o, c)]),
    ("apiregistration.k8s.io", "APIService"): _simple(
        lambda: [_name_col(), _col("Service", description="The service that serves the API, or Local."),
                 _col("Available", description="Whether the API is reachable."), _age_col()],
        _apiservice_cells),
}
_DEFAULT: Printer = _simple(_default_columns, _default_cells)


def column_definitions(kind_info: KindInfo) -> list[Column]:
    return _PRINTERS.get((kind_info.group, kind_info.kind), _DEFAULT)[0]()


def _row_object(obj: dict[str, Any], include_object: str, group_version: str) -> dict[str, Any] | None:
    if include_object in ("Metadata", ""):
        return {"kind": "PartialObjectMetadata", "apiVersion": group_version, "metadata": _m(obj)}
    if include_object == "Object":
        return obj
    if include_object == "None":
        return None
    raise bad_request(f'unrecognized includeObject value: "{include_object}"')


def to_table(kind_info: KindInfo, objects: list[dict[str, Any]], include_object: str = "Metadata",
             now: dt.datetime | None = None, *, list_metadata: dict[str, Any] | None = None,
             no_headers: bool = False, group_version: str = TABLE_VERSION) -> dict[str, Any]:
    """A Table of objects of one kind. list_metadata: the List's resourceVersion/continue/remainingItemCount."""
    if include_object not in ("Metadata", "", "Object", "None"):
        raise bad_request(f'unrecognized includeObject value: "{include_object}"')
    columns, build = _PRINTERS.get((kind_info.group, kind_info.kind), _DEFAULT)
    clock = _Clock(now or dt.datetime.now(dt.UTC))
    rows = []
    for obj in objects:
        cells, conditions = build(obj, clock)
        row: dict[str, Any] = {"cells": cells}
        if conditions:
            row["conditions"] = conditions
        row["object"] = _row_object(obj, include_object, group_version)
        rows.append(row)
    meta = {k: v for k, v in (list_metadata or {}).items()
            if k in ("resourceVersion", "continue", "remainingItemCount") and v not in (None, "")}
    table: dict[str, Any] = {"kind": "Table", "apiVersion": group_version, "metadata": meta}
    if not no_headers:
        table["columnDefinitions"] = columns()
    table["rows"] = rows
    return table
