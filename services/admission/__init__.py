"""The admission service: the plugin chain every write passes through (mutating, then validating).

Layout, by the request's path:

* ``server.py``      the gRPC face (kubeproto.admission.v1.Admission/Admit)
* ``attributes.py``  one request as the plugins see it (upstream's admission.Attributes)
* ``chain.py``       mutating plugins in order, re-invocation, then validating plugins
* ``plugins/``       the built-in plugins and their upstream order
* ``quota/``         the ResourceQuota plugin: evaluators, usage arithmetic, atomic charging
* ``webhook/``       Mutating/ValidatingAdmissionWebhook: matching, AdmissionReview over HTTPS
* ``controllers/``   what upstream runs in kube-controller-manager and this service needs to
                     hold true: a ``default`` ServiceAccount in every namespace, and
                     ResourceQuota status (hard, used) recomputed from the registry
"""
