"""ResourceQuota: what each object costs (evaluators), and charging it atomically (admission).

The quota's status.used is the ledger. Admission adds a request's cost to it with the
quota's resourceVersion as the precondition, so concurrent requests, in this process or in
another replica, can never spend the same headroom twice; services/admission/controllers/
resourcequota.py recomputes it from what is stored, which also gives back what deletions freed.
"""
