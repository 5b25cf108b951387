"""The defaults upstream applies while decoding a request, which the plugins rely on.

kube-apiserver defaults an object when it decodes it, before admission; here nothing
upstream of this service does that yet, so the few defaults that change an admission
decision are applied on entry (and again after a webhook patch, as upstream re-defaults):

* a container's requests default to its limits (SetDefaults_Pod), which LimitRanger and
  ResourceQuota read;
* the deprecated spec.serviceAccount fills spec.serviceAccountName (v1 conversion).

Applying them twice changes nothing, so a gateway that defaults on decode may keep them.
"""

from __future__ import annotations

from kubeproto.api.core.v1 import generated_pb2 as corev1


def default_pod(pod: corev1.Pod) -> None:
    spec = pod.spec
    for container in (*spec.initContainers, *spec.containers):
        _default_requests(container.resources)
    if spec.HasField("resources"):
        _default_requests(spec.resources)
    if not spec.serviceAccountName and spec.serviceAccount:
        spec.serviceAccountName = spec.serviceAccount


def _default_requests(resources: corev1.ResourceRequirements) -> None:
    for name, limit in resources.limits.items():
        if name not in resources.requests:
            resources.requests[name].CopyFrom(limit)
