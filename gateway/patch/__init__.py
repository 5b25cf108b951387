"""The three PATCH formats kube-apiserver accepts, applied to Kubernetes JSON.

Server-side apply (application/apply-patch+yaml) lives in gateway.fieldmanager.
"""

from gateway.patch.json_patch import apply_json_patch, apply_merge_patch
from gateway.patch.strategic import apply_strategic_merge_patch

__all__ = ["apply_json_patch", "apply_merge_patch", "apply_strategic_merge_patch"]
