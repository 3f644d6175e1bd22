"""Signed webhook delivery: HMAC-SHA256 of the raw body, retries with exponential backoff."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

SIGNATURE_HEADER = "X-Segmint-Signature"
TIMESTAMP_HEADER = "X-Segmint-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Worth another try within the same sync: the receiver is busy, down or slow.
_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


def sign(body: bytes, secret: bytes) -> str:
    """Return the X-Segmint-Signature value: "sha256=" + hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_signature(body: bytes, header: str, secret: bytes) -> bool:
    """Return whether `header` is the signature of `body` (constant-time comparison)."""
    return hmac.compare_digest(sign(body, secret), header)


@dataclass(frozen=True)
class Delivery:
    """How a batch's delivery ended: delivered, or the last error and whether to try again later."""

    delivered: bool
    attempts: int
    error: str = ""
    status: int | None = None


def post_batch(
    url: str,
    body: bytes,
    *,
    secret: bytes,
    idempotency_key: str,
    timeout: float,
    max_attempts: int,
    backoff_seconds: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.time,
) -> Delivery:
    """POST one batch, retrying 5xx, timeouts and connection errors with exponential backoff.

    Every attempt carries the same body, signature and Idempotency-Key; the timestamp header
    says when this attempt was made.
    """
    error = ""
    status: int | None = None
    for attempt in range(1, max_attempts + 1):
        request = urllib.request.Request(
            url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "segmint-webhook",
                SIGNATURE_HEADER: sign(body, secret),
                TIMESTAMP_HEADER: str(int(clock())),
                IDEMPOTENCY_HEADER: idempotency_key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
                return Delivery(True, attempt, status=response.status)
        except urllib.error.HTTPError as exc:
            status = exc.code
            error = f"HTTP {exc.code} {exc.reason}"
            if exc.code not in _RETRYABLE_STATUS:
                # The receiver refuses this batch: retrying now will not help.
                return Delivery(False, attempt, error + " (not retried)", status)
        except TimeoutError:
            status, error = None, f"no answer within {timeout:g} s"
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                status, error = None, f"no answer within {timeout:g} s"
            else:
                status, error = None, f"connection failed: {reason or type(exc).__name__}"
        if attempt < max_attempts:
            sleep(backoff_seconds * 2 ** (attempt - 1))
    return Delivery(False, max_attempts, error, status)
