"""Audit-ID: a client that names its request (WithAuditInit) finds that id in the answer and the audit log."""

from __future__ import annotations

import json
import uuid

from tests.e2e.conftest import JSON, Cluster
from tests.support.objects import configmap
from tests.support.wait import until


def test_a_request_keeps_the_audit_id_its_client_gave(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", "audited", check=False)
    audit_id = f"trace-{uuid.uuid4().hex}"
    created = cluster.http("POST", "/api/v1/namespaces/audited/configmaps", headers={**JSON, "Audit-ID": audit_id},
                           body=json.dumps(configmap(f"traced-{audit_id[-6:]}")))
    assert created.status == 201
    assert created.headers["Audit-Id"] == audit_id
    # Refusals echo it too.
    missing = cluster.http("GET", "/api/v1/namespaces/audited/configmaps/ghost", headers={"Audit-ID": audit_id})
    assert missing.status == 404 and missing.headers["Audit-Id"] == audit_id
    # Without one the server makes its own, a fresh one each time.
    made = {cluster.http("GET", "/version").headers["Audit-Id"] for _ in range(2)}
    assert len(made) == 2 and audit_id not in made

    def logged() -> None:
        events = [json.loads(line) for line in cluster.audit_log.read_text().splitlines()
                  if audit_id in line]
        assert [e["auditID"] for e in events if e["verb"] == "create"] == [audit_id]

    until(logged)
