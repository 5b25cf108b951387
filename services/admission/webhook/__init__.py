"""MutatingAdmissionWebhook and ValidatingAdmissionWebhook.

* ``source.py``     the configurations, from informers, flattened and ordered (WebhookAccessor)
* ``matching.py``   rules, scope, namespaceSelector, objectSelector, matchPolicy
* ``review.py``     the AdmissionReview sent, and the checks on the one returned
* ``client.py``     HTTPS POST with caBundle verification and the per-webhook timeout
* ``errors.py``     calling failures vs rejections, worded as upstream words them
* ``dispatch.py``   one call: dry-run/sideEffects, annotations, warnings, the patch
* ``mutating.py``   webhooks in order, patches applied, re-invocation (IfNeeded)
* ``validating.py`` webhooks in parallel, the first refusal wins
"""
