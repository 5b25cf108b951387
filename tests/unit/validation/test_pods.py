from typing import Any

from vhelpers import LABEL_ERR, clone, create_errors, fields, stored, update_errors


def pod(*containers: dict[str, Any], **spec: Any) -> dict[str, Any]:
    ctrs = list(containers) or [{"name": "app", "image": "nginx:1.27"}]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"containers": ctrs, **spec}}


def test_valid_pod() -> None:
    assert create_errors(pod(restartPolicy="Never", dnsPolicy="ClusterFirst")) == []


def test_containers_required() -> None:
    obj = pod()
    obj["spec"]["containers"] = []
    assert create_errors(obj) == [("spec.containers", "Required value")]


def test_container_names_and_images() -> None:
    errs = create_errors(pod({"name": "App", "image": "x"}, {"name": "db"}, {"name": "db", "image": " pad "},
                             {"image": "y"}))
    assert errs == [
        ("spec.containers[0].name", f'Invalid value: "App": {LABEL_ERR}'),
        ("spec.containers[1].image", "Required value"),
        ("spec.containers[2].name", 'Duplicate value: "db"'),
        ("spec.containers[2].image", 'Invalid value: " pad ": must not have leading or trailing whitespace'),
        ("spec.containers[3].name", "Required value"),
    ]


def test_init_container_names_share_the_namespace() -> None:
    obj = pod(initContainers=[{"name": "app", "image": "busybox"}])
    assert create_errors(obj) == [("spec.initContainers[0].name", 'Duplicate value: "app"')]


def test_ports() -> None:
    ctr = {"name": "app", "image": "i", "ports": [
        {"containerPort": 80, "name": "http"}, {"containerPort": 0}, {"containerPort": 70000, "hostPort": -1},
        {"containerPort": 81, "protocol": "HTTP", "name": "http"}]}
    assert create_errors(pod(ctr)) == [
        ("spec.containers[0].ports[1].containerPort", "Required value"),
        ("spec.containers[0].ports[2].containerPort", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
        ("spec.containers[0].ports[2].hostPort", "Invalid value: -1: must be between 1 and 65535, inclusive"),
        ("spec.containers[0].ports[3].name", 'Duplicate value: "http"'),
        ("spec.containers[0].ports[3].protocol", 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'),
    ]


def test_policies() -> None:
    obj = pod({"name": "a", "image": "i", "imagePullPolicy": "Sometimes", "terminationMessagePolicy": "Log"},
              restartPolicy="Sometimes", dnsPolicy="Google")
    assert create_errors(obj) == [
        ("spec.containers[0].imagePullPolicy",
         'Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"'),
        ("spec.containers[0].terminationMessagePolicy", 'Invalid value: "Log": must be \'File\' or '
                                                        "'FallbackToLogsOnError'"),
        ("spec.restartPolicy", 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'),
        ("spec.dnsPolicy", 'Unsupported value: "Google": supported values: "ClusterFirstWithHostNet", '
                           '"ClusterFirst", "Default", "None"'),
    ]


def test_resources() -> None:
    ctr = {"name": "a", "image": "i", "resources": {"limits": {"cpu": "500m", "memory": "-1"},
                                                    "requests": {"cpu": "1", "gpu": "1"}}}
    assert create_errors(pod(ctr)) == [
        ("spec.containers[0].resources.limits[memory]", 'Invalid value: "-1": must be greater than or equal to 0'),
        ("spec.containers[0].resources.requests",
         'Invalid value: "1": must be less than or equal to cpu limit of 500m'),
        ("spec.containers[0].resources.requests[gpu]", 'Invalid value: "gpu": must be a standard resource type or '
                                                       'fully qualified'),
        ("spec.containers[0].resources.requests[gpu]", 'Invalid value: "gpu": must be a standard resource for '
                                                       'containers'),
    ]
    ext = {"name": "a", "image": "i", "resources": {"limits": {"example.com/gpu": "1"},
                                                    "requests": {"example.com/gpu": "500m"}}}
    assert create_errors(pod(ext)) == [
        ("spec.containers[0].resources.requests[example.com/gpu]", "Invalid value: 500m: must be an integer"),
        ("spec.containers[0].resources.requests", 'Invalid value: "500m": must be equal to example.com/gpu limit of 1'),
    ]


def test_volumes_and_mounts() -> None:
    ctr = {"name": "a", "image": "i", "volumeMounts": [{"name": "data", "mountPath": "/d"}, {"name": "nope"}]}
    obj = pod(ctr, volumes=[{"name": "data", "emptyDir": {}},
                            {"name": "data", "emptyDir": {}, "hostPath": {"path": "/"}},
                            {"name": "cfg"}, {"name": "pvc", "persistentVolumeClaim": {}}])
    assert create_errors(obj) == [
        ("spec.volumes[1].name", 'Duplicate value: "data"'),
        ("spec.volumes[1].hostPath", "Forbidden: may not specify more than 1 volume type"),
        ("spec.volumes[2]", "Required value: must specify a volume type"),
        ("spec.volumes[3].persistentVolumeClaim.claimName", "Required value"),
        ("spec.containers[0].volumeMounts[1].name", 'Not found: "nope"'),
        ("spec.containers[0].volumeMounts[1].mountPath", "Required value"),
    ]


def test_spec_names_and_deadline() -> None:
    obj = pod(serviceAccountName="Default", nodeName="node_1", hostname="a.b", activeDeadlineSeconds=0,
              nodeSelector={"disk": "fast ssd"})
    assert fields(create_errors(obj)) == ["spec.nodeSelector", "spec.serviceAccountName", "spec.nodeName",
                                          "spec.activeDeadlineSeconds", "spec.hostname"]


def test_env_names() -> None:
    ctr = {"name": "a", "image": "i", "env": [{"name": "A.B-c"}, {"name": ""}, {"name": "A=B"}]}
    assert create_errors(pod(ctr)) == [
        ("spec.containers[0].env[1].name", "Required value"),
        ("spec.containers[0].env[2].name", 'Invalid value: "A=B": a valid environment variable name must consist '
                                           "only of printable ASCII characters other than '='"),
    ]


def test_tolerations() -> None:
    obj = pod(tolerations=[{"operator": "Exists"}, {"key": "k", "operator": "Exists", "value": "v"},
                           {"key": "k", "operator": "Equal", "value": "v", "effect": "NoExecute",
                            "tolerationSeconds": 5},
                           {"operator": "Equal"}, {"key": "k", "effect": "Sometimes"}])
    assert create_errors(obj) == [
        ("spec.tolerations[1].operator", 'Invalid value: core.Toleration{Key:"k", Operator:"Exists", Value:"v", '
                                         'Effect:"", TolerationSeconds:(*int64)(nil)}: value must be empty when '
                                         "`operator` is 'Exists'"),
        ("spec.tolerations[3].operator", 'Invalid value: "Equal": operator must be Exists when `key` is empty, which '
                                         'means "match all values and all keys"'),
        ("spec.tolerations[4].effect", 'Unsupported value: "Sometimes": supported values: "NoSchedule", '
                                       '"PreferNoSchedule", "NoExecute"'),
    ]


def test_ephemeral_containers_not_on_create() -> None:
    obj = pod(ephemeralContainers=[{"name": "dbg", "image": "busybox"}])
    assert create_errors(obj) == [("spec.ephemeralContainers", "Forbidden: cannot be set on create")]


def test_mirror_pod_annotation_needs_node() -> None:
    obj = pod()
    obj["metadata"]["annotations"] = {"kubernetes.io/config.mirror": "x"}
    assert create_errors(obj) == [("metadata.annotations[kubernetes.io/config.mirror]",
                                   'Invalid value: "x": must set spec.nodeName if mirror pod annotation is set')]


UPDATABLE = ("Forbidden: pod updates may not change fields other than `spec.containers[*].image`,"
             "`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
             "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was "
             "previously negative)")


def test_update_allows_images_deadline_and_new_tolerations() -> None:
    old = stored(pod(activeDeadlineSeconds=100, tolerations=[{"key": "k", "operator": "Exists"}]))
    new = clone(old)
    new["spec"]["containers"][0]["image"] = "nginx:1.28"
    new["spec"]["activeDeadlineSeconds"] = 50
    new["spec"]["tolerations"].append({"key": "other", "operator": "Exists"})
    new["metadata"]["labels"] = {"tier": "web"}
    assert update_errors(new, old) == []


def test_update_omitting_defaults_is_not_a_change() -> None:
    old = stored(pod(restartPolicy="Always", dnsPolicy="ClusterFirst", terminationGracePeriodSeconds=30))
    old["spec"]["containers"][0].update({"imagePullPolicy": "IfNotPresent", "terminationMessagePolicy": "File"})
    assert update_errors(stored(pod()), old) == []


def test_update_forbids_other_spec_changes() -> None:
    old = stored(pod())
    new = clone(old)
    new["spec"]["containers"][0]["ports"] = [{"containerPort": 8080}]
    errs = update_errors(new, old)
    assert len(errs) == 1
    assert errs[0][0] == "spec"
    assert errs[0][1].startswith(UPDATABLE + "\n")


def test_update_containers_and_deadline_rules() -> None:
    old = stored(pod(activeDeadlineSeconds=100))
    more = clone(old)
    more["spec"]["containers"].append({"name": "side", "image": "i"})
    assert update_errors(more, old) == [("spec.containers", "Forbidden: pod updates may not add or remove containers")]
    longer = clone(old)
    longer["spec"]["activeDeadlineSeconds"] = 200
    assert update_errors(longer, old) == [
        ("spec.activeDeadlineSeconds", "Invalid value: 200: must be less than or equal to previous value")]
    removed = clone(old)
    del removed["spec"]["activeDeadlineSeconds"]
    assert update_errors(removed, old) == [
        ("spec.activeDeadlineSeconds", "Invalid value: null: must not update from a positive integer to nil value")]


def test_update_existing_toleration_cannot_change() -> None:
    old = stored(pod(tolerations=[{"key": "k", "operator": "Equal", "value": "a", "effect": "NoExecute",
                                   "tolerationSeconds": 10}]))
    seconds = clone(old)
    seconds["spec"]["tolerations"][0]["tolerationSeconds"] = 20
    assert update_errors(seconds, old) == []
    value = clone(old)
    value["spec"]["tolerations"][0]["value"] = "b"
    assert update_errors(value, old) == [
        ("spec.tolerations", "Forbidden: existing toleration can not be modified except its tolerationSeconds")]
