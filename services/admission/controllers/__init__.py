"""Controllers that upstream runs in kube-controller-manager and this service hosts, because the
admission plugins depend on what they keep true:

* ``serviceaccounts.py`` (upstream's serviceaccount-controller): every active namespace has a
  ``default`` ServiceAccount, created when the namespace appears and again if it is deleted.
  The ServiceAccount plugin refuses pods whose account is missing.
* ``resourcequota.py`` (upstream's resourcequota-controller): each quota's status.hard follows
  spec.hard and status.used is recomputed from the objects stored, when a quota is created or
  changed, when a tracked object is deleted or a pod finishes (replenishment), and every
  --resource-quota-sync-period. Admission only adds to status.used; this gives back.

Select them with --controllers (default all). With several admission replicas, run them in one.
"""
