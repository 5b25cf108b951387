"""The plugin names, in upstream's order, and which of them are on by default.

The chain runs plugins in this order whatever order the flags name them in (as
kube-apiserver does): mutating plugins first, then validating ones, each in this order.
"""

from __future__ import annotations

# kube-apiserver's AllOrderedPlugins.
UPSTREAM_ORDER: tuple[str, ...] = (
    "AlwaysAdmit", "NamespaceAutoProvision", "NamespaceLifecycle", "NamespaceExists",
    "LimitPodHardAntiAffinityTopology", "LimitRanger", "ServiceAccount", "NodeRestriction",
    "TaintNodesByCondition", "AlwaysPullImages", "ImagePolicyWebhook", "PodSecurity", "PodNodeSelector",
    "Priority", "DefaultTolerationSeconds", "PodTolerationRestriction", "EventRateLimit",
    "ExtendedResourceToleration", "DefaultStorageClass", "StorageObjectInUseProtection",
    "OwnerReferencesPermissionEnforcement", "PersistentVolumeClaimResize", "RuntimeClass",
    "CertificateApproval", "CertificateSigning", "ClusterTrustBundleAttest", "CertificateSubjectRestriction",
    "DefaultIngressClass", "DenyServiceExternalIPs", "PodTopologyLabels", "MutatingAdmissionPolicy",
    "MutatingAdmissionWebhook", "ValidatingAdmissionPolicy", "ValidatingAdmissionWebhook", "ResourceQuota",
    "AlwaysDeny",
)

# What this service implements.
IMPLEMENTED: frozenset[str] = frozenset({
    "AlwaysAdmit", "NamespaceLifecycle", "LimitRanger", "ServiceAccount", "DefaultStorageClass",
    "MutatingAdmissionWebhook", "ValidatingAdmissionWebhook", "ResourceQuota", "AlwaysDeny",
})

# Upstream's default-on set, as far as it is implemented here.
DEFAULT_ENABLED: frozenset[str] = frozenset({
    "NamespaceLifecycle", "LimitRanger", "ServiceAccount", "DefaultStorageClass",
    "MutatingAdmissionWebhook", "ValidatingAdmissionWebhook", "ResourceQuota",
})


def check_plugin_flags(enable: list[str], disable: list[str]) -> list[str]:
    """Every problem with --enable/--disable-admission-plugins, worded as kube-apiserver words them."""
    errors = []
    known = set(UPSTREAM_ORDER)
    for name in enable:
        if name not in known:
            errors.append(f'enable-admission-plugins plugin "{name}" is unknown')
        elif name not in IMPLEMENTED:
            errors.append(f'enable-admission-plugins plugin "{name}" is not implemented by this admission service')
    errors += [f'disable-admission-plugins plugin "{name}" is unknown' for name in disable if name not in known]
    overlap = sorted(set(enable) & set(disable))
    if overlap:
        errors.append(f"[{' '.join(overlap)}] in enable-admission-plugins and disable-admission-plugins overlapped")
    return errors


def enabled_plugins(enable: list[str], disable: list[str]) -> list[str]:
    on = (DEFAULT_ENABLED | set(enable)) - set(disable)
    return [name for name in UPSTREAM_ORDER if name in on and name in IMPLEMENTED]
