"""The two ways a webhook call ends badly, kept apart because failurePolicy treats them apart.

* CallingWebhookError: the webhook could not be asked or answered nonsense. failurePolicy
  Ignore skips the webhook; Fail refuses with 500 InternalError.
* WebhookRejection: the webhook answered allowed=false. Always refused, with the code the
  webhook gave (400 if it gave less), its reason, and "admission webhook "x" denied the request".
"""

from __future__ import annotations

from typing import Any

from apimachinery.errors import Cause, StatusError
from apimachinery.validation.field import go_quote


class CallingWebhookError(Exception):
    def __init__(self, webhook_name: str, reason: str | None) -> None:
        self.webhook_name = webhook_name
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.reason:
            return f"failed calling webhook {go_quote(self.webhook_name)}: {self.reason}"
        return f"failed calling webhook {go_quote(self.webhook_name)}; no further details available"


class WebhookRejection(Exception):
    def __init__(self, status: StatusError) -> None:
        super().__init__(status.message)
        self.status = status


def _int(value: Any, default: int = 0) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def to_status_error(webhook_name: str, result: dict[str, Any] | None) -> StatusError:
    """webhookerrors.ToStatusErr: the webhook's metav1.Status, worded as a denial by that webhook."""
    result = result if isinstance(result, dict) else {}
    denied_by = f"admission webhook {go_quote(webhook_name)} denied the request"
    code = _int(result.get("code"))
    if code < 400:
        code = 400
    message, reason = _str(result.get("message")), _str(result.get("reason"))
    if message:
        message = f"{denied_by}: {message}"
    elif reason:
        message = f"{denied_by}: {reason}"
    else:
        message = f"{denied_by} without explanation"
    details = result.get("details") if isinstance(result.get("details"), dict) else {}
    assert isinstance(details, dict)
    causes = [Cause(_str(c.get("reason")), _str(c.get("message")), _str(c.get("field")))
              for c in details.get("causes") or [] if isinstance(c, dict)]
    return StatusError(code, reason, message, name=_str(details.get("name")), group=_str(details.get("group")),
                       kind=_str(details.get("kind")), causes=causes,
                       retry_after_seconds=_int(details.get("retryAfterSeconds")))
