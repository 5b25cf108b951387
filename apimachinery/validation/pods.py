"""Pods (pkg/apis/core/validation pods.go, volumes.go): a real subset.

Covered on create: object meta, the mirror-pod annotation, volumes (names and
exactly one source), containers and init containers (names, images, ports,
env names, resources, volume mounts, pull and termination-message policies),
restart and DNS policies, node selector, tolerations, and the name-like fields
(serviceAccountName, nodeName, hostname, subdomain, priorityClassName).

On update the spec is immutable except container images, activeDeadlineSeconds
(which may only shrink), tolerations (only additions), removing scheduling gates,
and terminationGracePeriodSeconds going from negative to 1. Fields that pod
defaulting fills in are compared as defaulted, so an update that merely omits a
default is not a change.
"""

from __future__ import annotations

from collections.abc import Sequence

from google.protobuf.json_format import MessageToDict

from apimachinery.validation.field import (
    Errors,
    GoText,
    Path,
    duplicate,
    each_invalid,
    forbidden,
    go_struct,
    invalid,
    not_found,
    not_supported,
    path,
    required,
)
from apimachinery.validation.names import (
    inclusive_range_error,
    is_dns1123_label,
    is_label_value,
    is_relaxed_env_var_name,
    is_valid_port_name,
    is_valid_port_num,
    name_is_dns_subdomain,
)
from apimachinery.validation.objectmeta import validate_object_meta, validate_object_meta_update
from apimachinery.validation.resources import validate_resource_requirements
from apimachinery.validation.selectors import validate_label_name, validate_labels
from kubeproto.api.core.v1 import generated_pb2 as corev1

MAX_INT32 = 2**31 - 1
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
RESTART_POLICIES = ["Always", "OnFailure", "Never"]
DNS_POLICIES = ["ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"]
PULL_POLICIES = ["Always", "IfNotPresent", "Never"]
PORT_PROTOCOLS = ["SCTP", "TCP", "UDP"]
TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"]
TERMINATION_MESSAGE_POLICY = "must be 'File' or 'FallbackToLogsOnError'"
UPDATABLE_FIELDS_MESSAGE = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)
_VOLUME_SOURCES = [f.name for f in corev1.Volume.DESCRIPTOR.fields if f.name != "name"]


# -- volumes ------------------------------------------------------------------------


def _validate_volume_source(vol: corev1.Volume, p: Path) -> Errors:
    errs: Errors = []
    sources = [s for s in _VOLUME_SOURCES if vol.HasField(s)]  # type: ignore[arg-type]
    if not sources:
        return [required(p, "must specify a volume type")]
    for extra in sources[1:]:
        errs.append(forbidden(p.child(extra), "may not specify more than 1 volume type"))
    if vol.HasField("persistentVolumeClaim") and not vol.persistentVolumeClaim.claimName:
        errs.append(required(p.child("persistentVolumeClaim", "claimName")))
    if vol.HasField("configMap") and not vol.configMap.name:
        errs.append(required(p.child("configMap", "name")))
    if vol.HasField("secret") and not vol.secret.secretName:
        errs.append(required(p.child("secret", "secretName")))
    return errs


def validate_volumes(volumes: Sequence[corev1.Volume], p: Path) -> tuple[set[str], Errors]:
    names: set[str] = set()
    errs: Errors = []
    for i, vol in enumerate(volumes):
        ip = p.index(i)
        name_path = ip.child("name")
        if not vol.name:
            errs.append(required(name_path))
        else:
            errs += each_invalid(name_path, vol.name, is_dns1123_label(vol.name))
        if vol.name in names:
            errs.append(duplicate(name_path, vol.name))
        errs += _validate_volume_source(vol, ip)
        if vol.name:
            names.add(vol.name)
    return names, errs


# -- containers ---------------------------------------------------------------------


def _validate_ports(ports: Sequence[corev1.ContainerPort], p: Path) -> Errors:
    errs: Errors = []
    names: set[str] = set()
    for i, port in enumerate(ports):
        ip = p.index(i)
        if port.name:
            msgs = is_valid_port_name(port.name)
            if msgs:
                errs += each_invalid(ip.child("name"), port.name, msgs)
            elif port.name in names:
                errs.append(duplicate(ip.child("name"), port.name))
            else:
                names.add(port.name)
        if port.containerPort == 0:
            errs.append(required(ip.child("containerPort")))
        else:
            errs += [invalid(ip.child("containerPort"), port.containerPort, m)
                     for m in is_valid_port_num(port.containerPort)]
        if port.hostPort != 0:
            errs += [invalid(ip.child("hostPort"), port.hostPort, m) for m in is_valid_port_num(port.hostPort)]
        if port.HasField("protocol") and port.protocol not in PORT_PROTOCOLS:
            errs.append(not_supported(ip.child("protocol"), port.protocol, PORT_PROTOCOLS))
    return errs


def _validate_env(env: Sequence[corev1.EnvVar], p: Path) -> Errors:
    errs: Errors = []
    for i, var in enumerate(env):
        ip = p.index(i)
        if not var.name:
            errs.append(required(ip.child("name")))
        else:
            errs += each_invalid(ip.child("name"), var.name, is_relaxed_env_var_name(var.name))
    return errs


def _validate_container(ctr: corev1.Container, volumes: set[str], p: Path, init: bool) -> Errors:
    errs: Errors = []
    if not ctr.image:
        errs.append(required(p.child("image")))
    elif ctr.image != ctr.image.strip():
        errs.append(invalid(p.child("image"), ctr.image, "must not have leading or trailing whitespace"))
    if ctr.HasField("imagePullPolicy") and ctr.imagePullPolicy not in PULL_POLICIES:
        errs.append(not_supported(p.child("imagePullPolicy"), ctr.imagePullPolicy, PULL_POLICIES))
    policy = ctr.terminationMessagePolicy
    if ctr.HasField("terminationMessagePolicy") and policy not in ("File", "FallbackToLogsOnError"):
        errs.append(invalid(p.child("terminationMessagePolicy"), policy, TERMINATION_MESSAGE_POLICY))
    if init and ctr.HasField("restartPolicy") and ctr.restartPolicy != "Always":
        errs.append(not_supported(p.child("restartPolicy"), ctr.restartPolicy, ["Always"]))
    errs += _validate_ports(ctr.ports, p.child("ports"))
    errs += _validate_env(ctr.env, p.child("env"))
    errs += validate_resource_requirements(ctr.resources.limits, ctr.resources.requests, p.child("resources"))
    for i, mount in enumerate(ctr.volumeMounts):
        ip = p.child("volumeMounts").index(i)
        if not mount.name:
            errs.append(required(ip.child("name")))
        elif mount.name not in volumes:
            errs.append(not_found(ip.child("name"), mount.name))
        if not mount.mountPath:
            errs.append(required(ip.child("mountPath")))
    return errs


def _validate_containers(containers: Sequence[corev1.Container], volumes: set[str], p: Path,
                         taken: set[str], init: bool) -> Errors:
    errs: Errors = []
    for i, ctr in enumerate(containers):
        ip = p.index(i)
        name_path = ip.child("name")
        if not ctr.name:
            errs.append(required(name_path))
        else:
            errs += each_invalid(name_path, ctr.name, is_dns1123_label(ctr.name))
        if ctr.name in taken:
            errs.append(duplicate(name_path, ctr.name))
        elif ctr.name:
            taken.add(ctr.name)
        errs += _validate_container(ctr, volumes, ip, init)
    return errs


# -- tolerations --------------------------------------------------------------------


def toleration_go(t: corev1.Toleration) -> GoText:
    seconds = GoText(f"&{t.tolerationSeconds}" if t.HasField("tolerationSeconds") else "(*int64)(nil)")
    return go_struct("core.Toleration", [("Key", t.key), ("Operator", t.operator), ("Value", t.value),
                                         ("Effect", t.effect), ("TolerationSeconds", seconds)])


def validate_tolerations(tolerations: Sequence[corev1.Toleration], p: Path) -> Errors:
    errs: Errors = []
    for i, t in enumerate(tolerations):
        ip = p.index(i)
        if t.key:
            errs += validate_label_name(t.key, ip.child("key"))
        if not t.key and t.operator != "Exists":
            errs.append(invalid(ip.child("operator"), t.operator, "operator must be Exists when `key` is empty, "
                                'which means "match all values and all keys"'))
        if t.HasField("tolerationSeconds") and t.effect != "NoExecute":
            errs.append(invalid(ip.child("effect"), t.effect,
                                "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if t.operator in ("Equal", ""):
            msgs = is_label_value(t.value)
            if msgs:
                errs.append(invalid(ip.child("operator"), t.value, ";".join(msgs)))
        elif t.operator == "Exists":
            if t.value:
                errs.append(invalid(ip.child("operator"), toleration_go(t),
                                    "value must be empty when `operator` is 'Exists'"))
        else:
            errs.append(not_supported(ip.child("operator"), t.operator, ["Equal", "Exists"]))
        if t.effect and t.effect not in TAINT_EFFECTS:
            errs.append(not_supported(ip.child("effect"), t.effect, TAINT_EFFECTS))
    return errs


# -- pod ----------------------------------------------------------------------------


def validate_pod_spec(spec: corev1.PodSpec, p: Path) -> Errors:
    volumes, errs = validate_volumes(spec.volumes, p.child("volumes"))
    if not spec.containers:
        errs.append(required(p.child("containers")))
    taken: set[str] = set()
    errs += _validate_containers(spec.containers, volumes, p.child("containers"), taken, init=False)
    errs += _validate_containers(spec.initContainers, volumes, p.child("initContainers"), taken, init=True)
    if spec.HasField("restartPolicy") and spec.restartPolicy not in RESTART_POLICIES:
        errs.append(not_supported(p.child("restartPolicy"), spec.restartPolicy, RESTART_POLICIES))
    if spec.HasField("dnsPolicy") and spec.dnsPolicy not in DNS_POLICIES:
        errs.append(not_supported(p.child("dnsPolicy"), spec.dnsPolicy, DNS_POLICIES))
    errs += validate_labels(spec.nodeSelector, p.child("nodeSelector"))
    for field_name in ("serviceAccountName", "nodeName", "priorityClassName"):
        value = getattr(spec, field_name)
        if value:
            errs += each_invalid(p.child(field_name), value, name_is_dns_subdomain(value, False))
    if spec.HasField("activeDeadlineSeconds") and not 1 <= spec.activeDeadlineSeconds <= MAX_INT32:
        errs.append(invalid(p.child("activeDeadlineSeconds"), spec.activeDeadlineSeconds,
                            inclusive_range_error(1, MAX_INT32)))
    for field_name in ("hostname", "subdomain"):
        value = getattr(spec, field_name)
        if value:
            errs += each_invalid(p.child(field_name), value, is_dns1123_label(value))
    errs += validate_tolerations(spec.tolerations, p.child("tolerations"))
    return errs


def _pod_annotations(pod: corev1.Pod) -> Errors:
    value = pod.metadata.annotations.get(MIRROR_POD_ANNOTATION)
    if value is not None and not pod.spec.nodeName:
        return [invalid(path("metadata", "annotations").key(MIRROR_POD_ANNOTATION), value,
                        "must set spec.nodeName if mirror pod annotation is set")]
    return []


def validate_pod(pod: corev1.Pod) -> Errors:
    errs = validate_object_meta(pod.metadata, True, name_is_dns_subdomain)
    errs += _pod_annotations(pod)
    errs += validate_pod_spec(pod.spec, path("spec"))
    if pod.spec.ephemeralContainers:
        errs.append(forbidden(path("spec", "ephemeralContainers"), "cannot be set on create"))
    return errs


def _container_updates(new: Sequence[corev1.Container], old: Sequence[corev1.Container],
                       p: Path) -> tuple[Errors, bool]:
    if len(new) != len(old):
        return [forbidden(p, "pod updates may not add or remove containers")], True
    errs: Errors = []
    for i, ctr in enumerate(new):
        if not ctr.image:
            errs.append(required(p.index(i).child("image")))
        if ctr.image != ctr.image.strip():
            errs.append(invalid(p.index(i).child("image"), ctr.image, "must not have leading or trailing whitespace"))
    return errs, False


def _only_added_tolerations(new: Sequence[corev1.Toleration], old: Sequence[corev1.Toleration], p: Path) -> Errors:
    for existing in old:
        found = False
        for candidate in new:
            clone = corev1.Toleration()
            clone.CopyFrom(existing)
            if candidate.HasField("tolerationSeconds"):
                clone.tolerationSeconds = candidate.tolerationSeconds
            else:
                clone.ClearField("tolerationSeconds")
            if clone == candidate:
                found = True
                break
        if not found:
            return [forbidden(p, "existing toleration can not be modified except its tolerationSeconds")]
    return validate_tolerations(new, p)


def _default_container(ctr: corev1.Container) -> None:
    if not ctr.terminationMessagePath:
        ctr.terminationMessagePath = "/dev/termination-log"
    if not ctr.terminationMessagePolicy:
        ctr.terminationMessagePolicy = "File"
    if not ctr.imagePullPolicy:
        tagged = ":" in ctr.image.rsplit("/", 1)[-1] or "@" in ctr.image
        latest = ctr.image.endswith(":latest") or not tagged
        ctr.imagePullPolicy = "Always" if latest else "IfNotPresent"
    for port in ctr.ports:
        if not port.protocol:
            port.protocol = "TCP"


def _defaulted(spec: corev1.PodSpec) -> corev1.PodSpec:
    """A copy with the scalar defaults of SetDefaults_PodSpec and its containers filled in."""
    out = corev1.PodSpec()
    out.CopyFrom(spec)
    if not out.restartPolicy:
        out.restartPolicy = "Always"
    if not out.dnsPolicy:
        out.dnsPolicy = "ClusterFirst"
    if not out.schedulerName:
        out.schedulerName = "default-scheduler"
    if not out.HasField("terminationGracePeriodSeconds"):
        out.terminationGracePeriodSeconds = 30
    if not out.HasField("enableServiceLinks"):
        out.enableServiceLinks = True
    out.securityContext.SetInParent()
    if out.serviceAccount and not out.serviceAccountName:
        out.serviceAccountName = out.serviceAccount
    if out.serviceAccountName and not out.serviceAccount:
        out.serviceAccount = out.serviceAccountName
    for ctr in [*out.containers, *out.initContainers]:
        _default_container(ctr)
    return out


def _spec_diff(old: corev1.PodSpec, new: corev1.PodSpec) -> str:
    """A short account of what changed, in the spirit of upstream's cmp.Diff."""
    before, after = MessageToDict(old), MessageToDict(new)
    lines = ["  core.PodSpec{"]
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            if key in before:
                lines.append(f"- \t{key}: {before[key]!r},")
            if key in after:
                lines.append(f"+ \t{key}: {after[key]!r},")
    lines.append("  }")
    return "\n".join(lines)


def validate_pod_update(new: corev1.Pod, old: corev1.Pod) -> Errors:
    errs = validate_pod(new)
    errs = [e for e in errs if e.field != "spec.ephemeralContainers"]
    errs += validate_object_meta_update(new.metadata, old.metadata)
    spec_path = path("spec")
    for field_name in ("containers", "initContainers"):
        cerrs, stop = _container_updates(getattr(new.spec, field_name), getattr(old.spec, field_name),
                                         spec_path.child(field_name))
        errs += cerrs
        if stop:
            return errs
    deadline_path = spec_path.child("activeDeadlineSeconds")
    if new.spec.HasField("activeDeadlineSeconds"):
        value = new.spec.activeDeadlineSeconds
        if not 0 <= value <= MAX_INT32:
            return [*errs, invalid(deadline_path, value, inclusive_range_error(0, MAX_INT32))]
        if old.spec.HasField("activeDeadlineSeconds") and old.spec.activeDeadlineSeconds < value:
            return [*errs, invalid(deadline_path, value, "must be less than or equal to previous value")]
    elif old.spec.HasField("activeDeadlineSeconds"):
        errs.append(invalid(deadline_path, None, "must not update from a positive integer to nil value"))

    raw = corev1.PodSpec()
    raw.CopyFrom(new.spec)
    for field_name in ("containers", "initContainers"):
        for new_ctr, old_ctr in zip(getattr(raw, field_name), getattr(old.spec, field_name), strict=True):
            new_ctr.image = old_ctr.image
    old_spec = _defaulted(old.spec)
    munged = _defaulted(raw)
    if old_spec.HasField("activeDeadlineSeconds"):
        munged.activeDeadlineSeconds = old_spec.activeDeadlineSeconds
    else:
        munged.ClearField("activeDeadlineSeconds")
    del munged.tolerations[:]
    munged.tolerations.extend(old_spec.tolerations)
    errs += _only_added_tolerations(new.spec.tolerations, old.spec.tolerations, spec_path.child("tolerations"))
    if old_spec.terminationGracePeriodSeconds < 0 and munged.terminationGracePeriodSeconds == 1:
        munged.terminationGracePeriodSeconds = old_spec.terminationGracePeriodSeconds
    new_gates = [g.name for g in munged.schedulingGates]
    if set(new_gates) <= {g.name for g in old_spec.schedulingGates}:
        del munged.schedulingGates[:]
        munged.schedulingGates.extend(old_spec.schedulingGates)
    if munged != old_spec:
        errs.append(forbidden(spec_path, f"{UPDATABLE_FIELDS_MESSAGE}\n{_spec_diff(old_spec, munged)}"))
    return errs
