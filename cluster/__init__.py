"""Local cluster plumbing shared by the launcher and the test fixtures.

* :mod:`cluster.pki` - CAs, serving/client certificates, service-account keys, kubeconfigs (``ensure_pki``).
* :mod:`cluster.ports` - free loopback ports and waiting for them.
* :mod:`cluster.etcd` - real etcd members and clusters (``EtcdCluster``); ``python -m cluster.etcd`` runs one.
"""
