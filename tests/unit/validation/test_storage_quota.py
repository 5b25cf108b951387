"""PersistentVolumeClaim, StorageClass, LimitRange, ResourceQuota and Lease."""

from typing import Any

from vhelpers import clone, create_errors, stored, update_errors


def pvc(**spec: Any) -> dict[str, Any]:
    base = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    return {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "default"},
            "spec": {**base, **spec}}


def test_pvc_create() -> None:
    assert create_errors(pvc(storageClassName="fast", volumeMode="Filesystem")) == []
    assert create_errors(pvc(accessModes=[], resources={})) == [
        ("spec.accessModes", "Required value: at least 1 access mode is required"),
        ("spec.resources[storage]", "Required value"),
    ]
    assert create_errors(pvc(accessModes=["ReadWriteOncePod", "ReadOnlyMany", "Sometimes"],
                             resources={"requests": {"storage": "0"}}, volumeMode="Raw")) == [
        ("spec.accessModes", 'Unsupported value: "Sometimes": supported values: "ReadOnlyMany", "ReadWriteMany", '
                             '"ReadWriteOnce", "ReadWriteOncePod"'),
        ("spec.accessModes", "Forbidden: may not use ReadWriteOncePod with other access modes"),
        ("spec.resources[storage]", 'Invalid value: "0": must be greater than zero'),
        ("spec.volumeMode", 'Unsupported value: "Raw": supported values: "Block", "Filesystem"'),
    ]


def test_pvc_spec_is_immutable() -> None:
    old = stored(pvc())
    new = clone(old)
    new["spec"]["accessModes"] = ["ReadWriteMany"]
    errs = update_errors(new, old)
    assert [f for f, _ in errs] == ["spec"]
    assert errs[0][1].startswith("Forbidden: spec is immutable after creation except resources.requests and "
                                 "volumeAttributesClassName for bound claims\n")


def test_bound_pvc_may_grow() -> None:
    old = stored(pvc(volumeName="pv-1"), )
    old["status"] = {"phase": "Bound", "capacity": {"storage": "1Gi"}}
    grown = clone(old)
    grown["spec"]["resources"]["requests"]["storage"] = "2Gi"
    assert update_errors(grown, old) == []
    shrunk = clone(old)
    shrunk["spec"]["resources"]["requests"]["storage"] = "512Mi"
    assert update_errors(shrunk, old) == [
        ("spec.resources.requests.storage", "Forbidden: field can not be less than status.capacity")]


def test_pvc_volume_name_may_be_set_once() -> None:
    old = stored(pvc())
    new = clone(old)
    new["spec"]["volumeName"] = "pv-1"
    assert update_errors(new, old) == []


def sc(**body: Any) -> dict[str, Any]:
    return {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "fast"},
            "provisioner": "ebs.csi.aws.com", **body}


def test_storage_class_create() -> None:
    assert create_errors(sc(reclaimPolicy="Retain", volumeBindingMode="WaitForFirstConsumer")) == []
    obj = sc(reclaimPolicy="Recycle", volumeBindingMode="Later")
    del obj["provisioner"]
    assert create_errors(obj) == [
        ("provisioner", "Required value"),
        ("reclaimPolicy", 'Unsupported value: "Recycle": supported values: "Delete", "Retain"'),
        ("volumeBindingMode", 'Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"'),
    ]
    assert create_errors(sc(provisioner="bad provisioner"))[0][0] == "provisioner"


def test_storage_class_update() -> None:
    old = stored(sc(parameters={"type": "gp3"}))
    same = clone(old)
    same["reclaimPolicy"] = "Delete"  # the default, spelled out
    same["allowVolumeExpansion"] = True
    assert update_errors(same, old) == []
    new = clone(old)
    new.update(provisioner="other.csi", parameters={"type": "io2"}, reclaimPolicy="Retain",
               volumeBindingMode="WaitForFirstConsumer")
    assert update_errors(new, old) == [
        ("parameters", "Forbidden: updates to parameters are forbidden."),
        ("provisioner", "Forbidden: updates to provisioner are forbidden."),
        ("reclaimPolicy", "Forbidden: updates to reclaimPolicy are forbidden."),
        ("volumeBindingMode", 'Invalid value: "WaitForFirstConsumer": field is immutable'),
    ]


def limit_range(*items: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits", "namespace": "default"},
            "spec": {"limits": list(items)}}


def test_limit_range_ok() -> None:
    item = {"type": "Container", "min": {"cpu": "100m"}, "defaultRequest": {"cpu": "250m"}, "default": {"cpu": "500m"},
            "max": {"cpu": "1"}, "maxLimitRequestRatio": {"cpu": "4"}}
    assert create_errors(limit_range(item, {"type": "PersistentVolumeClaim", "max": {"storage": "10Gi"}})) == []


def test_limit_range_ordering() -> None:
    item = {"type": "Container", "min": {"cpu": "1"}, "max": {"cpu": "500m"}, "default": {"cpu": "2"},
            "defaultRequest": {"cpu": "3"}}
    assert create_errors(limit_range(item)) == [
        ("spec.limits[0].min[cpu]", "Invalid value: 1: min value 1 is greater than max value 500m"),
        ("spec.limits[0].defaultRequest[cpu]", "Invalid value: 3: default request value 3 is greater than max value "
                                               "500m"),
        ("spec.limits[0].defaultRequest[cpu]", "Invalid value: 3: default request value 3 is greater than default "
                                               "limit value 2"),
        ("spec.limits[0].default[cpu]", "Invalid value: 500m: default value 2 is greater than max value 500m"),
    ]


def test_limit_range_types() -> None:
    errs = create_errors(limit_range({"type": "Node"}, {"type": "Pod", "default": {"cpu": "1"}},
                                     {"type": "Pod"}, {"type": "PersistentVolumeClaim"},
                                     {"type": "Container", "maxLimitRequestRatio": {"memory": "500m"}}))
    assert errs == [
        ("spec.limits[0].type", 'Invalid value: "Node": must be a standard limit type or fully qualified'),
        ("spec.limits[1].default", "Forbidden: may not be specified when `type` is 'Pod'"),
        ("spec.limits[2].type", 'Duplicate value: "Pod"'),
        ("spec.limits[3].limits", "Required value: either minimum or maximum storage value is required, but neither "
                                  "was provided"),
        ("spec.limits[4].maxLimitRequestRatio[memory]", "Invalid value: 500m: ratio 500m is less than 1"),
    ]


def quota(hard: dict[str, str], **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "q", "namespace": "default"},
            "spec": {"hard": hard, **spec}}


def test_resource_quota_values() -> None:
    assert create_errors(quota({"pods": "10", "requests.cpu": "4", "count/deployments.apps": "5",
                                "requests.nvidia.com/gpu": "2"})) == []
    assert create_errors(quota({"pods": "-1", "cpu": "-500m", "secrets": "1.5", "widgets": "1"})) == [
        ("spec.hard[cpu]", 'Invalid value: "-500m": must be greater than or equal to 0'),
        ("spec.hard[pods]", 'Invalid value: "-1": must be greater than or equal to 0'),
        ("spec.hard[secrets]", "Invalid value: 1500m: must be an integer"),
        ("spec.hard[widgets]", 'Invalid value: "widgets": must be a standard resource type or fully qualified'),
        ("spec.hard[widgets]", 'Invalid value: "widgets": must be a standard resource for quota'),
    ]


def test_resource_quota_scopes() -> None:
    assert create_errors(quota({"pods": "1"}, scopes=["BestEffort"])) == []
    assert create_errors(quota({"cpu": "1"}, scopes=["BestEffort", "NotBestEffort"])) == [
        ("spec.scopes", 'Invalid value: []string{"BestEffort", "NotBestEffort"}: unsupported scope applied to '
                        'resource'),
        ("spec.scopes", 'Invalid value: []string{"BestEffort", "NotBestEffort"}: conflicting scopes'),
    ]
    old = stored(quota({"pods": "1"}, scopes=["BestEffort"]))
    new = clone(old)
    new["spec"]["scopes"] = ["NotBestEffort"]
    assert update_errors(new, old) == [("spec.scopes", 'Invalid value: []string{"NotBestEffort"}: field is immutable')]
    new["spec"]["scopes"] = ["BestEffort"]
    new["spec"]["hard"]["pods"] = "20"
    assert update_errors(new, old) == []


def lease(**spec: Any) -> dict[str, Any]:
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": {"name": "leader", "namespace": "kube-system"}, "spec": spec}


def test_lease() -> None:
    assert create_errors(lease(holderIdentity="a", leaseDurationSeconds=15, leaseTransitions=0)) == []
    assert create_errors(lease(leaseDurationSeconds=0, leaseTransitions=-1, preferredHolder="b",
                               strategy="Newest")) == [
        ("spec.leaseDurationSeconds", "Invalid value: 0: must be greater than 0"),
        ("spec.leaseTransitions", "Invalid value: -1: must be greater than or equal to 0"),
        ("spec.strategy.strategy", 'Unsupported value: "Newest": supported values: "OldestEmulationVersion"'),
    ]
    assert create_errors(lease(preferredHolder="b")) == [
        ("spec.preferredHolder", "Forbidden: may only be specified if `strategy` is defined")]
    old = stored(lease(holderIdentity="a"))
    new = clone(old)
    new["spec"]["holderIdentity"] = "b"
    assert update_errors(new, old) == []
