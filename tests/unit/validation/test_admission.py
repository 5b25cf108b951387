from typing import Any

from vhelpers import clone, create_errors, stored, update_errors

ADM = "admissionregistration.k8s.io/v1"


def hook(**over: Any) -> dict[str, Any]:
    h: dict[str, Any] = {
        "name": "pods.policy.example.com",
        "clientConfig": {"service": {"name": "policy", "namespace": "system", "path": "/validate"}},
        "rules": [{"apiGroups": [""], "apiVersions": ["v1"], "operations": ["CREATE"], "resources": ["pods"]}],
        "sideEffects": "None",
        "admissionReviewVersions": ["v1"],
    }
    h.update(over)
    return h


def config(*hooks: dict[str, Any], kind: str = "ValidatingWebhookConfiguration") -> dict[str, Any]:
    return {"apiVersion": ADM, "kind": kind, "metadata": {"name": "policy"}, "webhooks": list(hooks)}


def test_valid_configurations() -> None:
    assert create_errors(config(hook())) == []
    mutating = hook(reinvocationPolicy="IfNeeded", clientConfig={"url": "https://hooks.example.com/mutate"})
    assert create_errors(config(mutating, kind="MutatingWebhookConfiguration")) == []


def test_webhook_names() -> None:
    errs = create_errors(config(hook(name="short"), hook(name="a.b.c"), hook(name="a.b.c"), hook(name="")))
    assert errs == [
        ("webhooks[0].name", 'Invalid value: "short": should be a domain with at least three segments separated by '
                             'dots'),
        ("webhooks[2].name", 'Duplicate value: "a.b.c"'),
        ("webhooks[3].name", "Required value"),
    ]


def test_client_config_needs_exactly_one_target() -> None:
    both = hook(clientConfig={"url": "https://x.example.com", "service": {"name": "s", "namespace": "n"}})
    neither = hook(name="other.policy.example.com", clientConfig={})
    assert create_errors(config(both, neither)) == [
        ("webhooks[0].clientConfig", "Required value: exactly one of url or service is required"),
        ("webhooks[1].clientConfig", "Required value: exactly one of url or service is required"),
    ]


def test_url_rules() -> None:
    # Go's url.Parse finds the host ":8443" here, so only these four are wrong.
    h = hook(clientConfig={"url": "http://user@:8443/p?q=1#frag"})
    assert create_errors(config(h)) == [
        ("webhooks[0].clientConfig.url", 'Invalid value: "http": \'https\' is the only allowed URL scheme; desired '
                                         'format: https://host[/path]'),
        ("webhooks[0].clientConfig.url", 'Invalid value: "user": user information is not permitted in the URL'),
        ("webhooks[0].clientConfig.url", 'Invalid value: "frag": fragments are not permitted in the URL'),
        ("webhooks[0].clientConfig.url", 'Invalid value: "q=1": query parameters are not permitted in the URL'),
    ]


def test_service_rules() -> None:
    # Upstream checks the segments of the path minus its first character, whatever that was.
    h = hook(clientConfig={"service": {"name": "", "namespace": "", "port": 0, "path": "no//Slash"}})
    assert create_errors(config(h)) == [
        ("webhooks[0].clientConfig.service.name", "Required value: service name is required"),
        ("webhooks[0].clientConfig.service.namespace", "Required value: service namespace is required"),
        ("webhooks[0].clientConfig.service.port", "Invalid value: 0: port is not valid: must be between 1 and 65535, "
                                                  "inclusive"),
        ("webhooks[0].clientConfig.service.path", "Invalid value: \"no//Slash\": must start with a '/'"),
        ("webhooks[0].clientConfig.service.path", 'Invalid value: "no//Slash": segment[1] may not be empty'),
        ("webhooks[0].clientConfig.service.path", 'Invalid value: "no//Slash": segment[2]: a lowercase RFC 1123 '
                                                  "subdomain must consist of lower case alphanumeric characters, '-' "
                                                  "or '.', and must start and end with an alphanumeric character "
                                                  "(e.g. 'example.com', regex used for validation is "
                                                  "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
    ]


def test_side_effects_and_review_versions() -> None:
    h = hook(admissionReviewVersions=[])
    del h["sideEffects"]
    assert create_errors(config(h)) == [
        ("webhooks[0].sideEffects", "Required value: must specify one of None, NoneOnDryRun"),
        ("webhooks[0].admissionReviewVersions", "Required value: must specify one of v1, v1beta1"),
    ]
    h = hook(sideEffects="Some", admissionReviewVersions=["v2", "v2"])
    assert create_errors(config(h)) == [
        ("webhooks[0].sideEffects", 'Unsupported value: "Some": supported values: "None", "NoneOnDryRun"'),
        ("webhooks[0].admissionReviewVersions[1]", 'Invalid value: "v2": duplicate version'),
        ("webhooks[0].admissionReviewVersions", 'Invalid value: []string{"v2", "v2"}: must include at least one of '
                                                'v1, v1beta1'),
    ]


def test_policies_timeout_and_selectors() -> None:
    h = hook(failurePolicy="Maybe", matchPolicy="Loose", timeoutSeconds=31,
             namespaceSelector={"matchExpressions": [{"key": "env", "operator": "In"}]})
    assert create_errors(config(h)) == [
        ("webhooks[0].failurePolicy", 'Unsupported value: "Maybe": supported values: "Fail", "Ignore"'),
        ("webhooks[0].matchPolicy", 'Unsupported value: "Loose": supported values: "Equivalent", "Exact"'),
        ("webhooks[0].timeoutSeconds", "Invalid value: 31: the timeout value must be between 1 and 30 seconds"),
        ("webhooks[0].namespaceSelector.matchExpressions[0].values",
         "Required value: must be specified when `operator` is 'In' or 'NotIn'"),
    ]


def test_rules() -> None:
    h = hook(rules=[{"operations": ["*", "CREATE", "PATCH"], "apiGroups": [], "apiVersions": ["v1", ""],
                     "resources": ["*/*", "pods"], "scope": "Global"}])
    assert create_errors(config(h)) == [
        ("webhooks[0].rules[0].operations", 'Invalid value: []string{"*", "CREATE", "PATCH"}: if \'*\' is present, '
                                            'must not specify other operations'),
        ("webhooks[0].rules[0].operations[2]", 'Unsupported value: "PATCH": supported values: "*", "CONNECT", '
                                               '"CREATE", "DELETE", "UPDATE"'),
        ("webhooks[0].rules[0].apiGroups", "Required value"),
        ("webhooks[0].rules[0].apiVersions[1]", "Required value"),
        ("webhooks[0].rules[0].resources", 'Invalid value: []string{"*/*", "pods"}: if \'*/*\' is present, must not '
                                           'specify other resources'),
        ("webhooks[0].rules[0].scope", 'Unsupported value: "Global": supported values: "*", "Cluster", "Namespaced"'),
    ]


def test_match_conditions() -> None:
    h = hook(matchConditions=[{"name": "a", "expression": "true"}, {"name": "a"}])
    assert create_errors(config(h)) == [
        ("webhooks[0].matchConditions[1].name", 'Duplicate value: "a"'),
        ("webhooks[0].matchConditions[1].expression", "Required value"),
    ]


def test_update_keeps_old_objects_updatable() -> None:
    old = stored(config(hook(name="a.b.c"), hook(name="a.b.c")))
    new = clone(old)
    new["webhooks"][1]["timeoutSeconds"] = 5
    # The stored object already had duplicate names, so the update may keep them.
    assert update_errors(new, old) == []
    fresh = stored(config(hook(name="a.b.c"), hook(name="d.e.f")))
    dup = clone(fresh)
    dup["webhooks"][1]["name"] = "a.b.c"
    assert update_errors(dup, fresh) == [("webhooks[1].name", 'Duplicate value: "a.b.c"')]
