"""The OpenAPI documents kube-apiserver serves, for the kinds this server serves.

What kubectl (v1.32 to v1.37) asks for, and what the gateway should answer:

* ``GET /openapi/v3`` (Accept: application/json, */*): openapi_v3_index(). Every
  group-version maps to ``/openapi/v3/<api/v1 | apis/G/V>?hash=<HASH>``.
* ``GET /openapi/v3/api/v1?hash=<HASH>`` (Accept: application/json; client-go can
  also ask for application/com.github.proto-openapi.spec.v3@v1.0+protobuf, which
  kubectl does not): openapi_v3_group_version_json(). Upstream answers a request
  whose hash matches with ``Cache-Control: public, immutable`` and ``ETag:
  "<HASH>"``, a stale hash with a 301 to the current URL, and no hash with
  ``Cache-Control: no-cache, private``; an unknown group-version is 404.
  kubectl uses these documents for ``kubectl explain`` (the default since 1.27;
  it finds a kind by its x-kubernetes-group-version-kind), for the patch
  metadata of client-side ``kubectl apply``, and to decide whether the server
  validates fields itself: it looks for the ``fieldValidation`` query parameter
  among the parameters of the PATCH operation whose x-kubernetes-group-version-kind
  is the object's kind. When found, kubectl sends ``?fieldValidation=Strict`` and
  leaves validation to the server; this is why every PATCH operation declares it.
* ``GET /openapi/v2`` is requested by client-go's discovery client with
  ``Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`` only (the
  gnostic protobuf encoding). kubectl uses v2 only where v3 is missing or fails
  (patch metadata of client-side apply, the query-parameter check, client-side
  validation) and for ``kubectl explain --output plaintext-openapiv2``. Older
  client-go retried ``GET /swagger-2.0.0.pb-v1`` after a 403/404/406. This package
  produces the v2 document as JSON only (openapi_v2_json(), for Accept:
  application/json): answer 406 NotAcceptable to a protobuf-only Accept. Checked
  with kubectl v1.37 against these documents: `kubectl explain` (v3) works,
  create and server-side apply send ``fieldValidation=Strict``, and only
  ``explain --output plaintext-openapiv2`` reports the 406. The v2 ETag is the
  same hash, quoted.
"""

from gateway.openapi.documents import (
    etag,
    openapi_v2,
    openapi_v2_json,
    openapi_v3_group_version,
    openapi_v3_group_version_json,
    openapi_v3_index,
    v3_path_to_group_version,
)

__all__ = [
    "etag",
    "openapi_v2",
    "openapi_v2_json",
    "openapi_v3_group_version",
    "openapi_v3_group_version_json",
    "openapi_v3_index",
    "v3_path_to_group_version",
]
