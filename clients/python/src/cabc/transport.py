"""HTTP to the collector with urllib: bearer token, retries (RetryPolicy), problem+json answers as CabcProblem."""

from __future__ import annotations

import http.client
import json
import random
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Optional, Sequence, Tuple

from ._version import __version__
from .errors import CabcConnectionError, CabcProblem
from .retry import RETRYABLE_STATUSES, RetryPolicy, parse_retry_after

USER_AGENT = f"cabc-python/{__version__}"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]
    body: Any


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A redirected POST would lose its body (urllib turns it into a GET): a redirect is answered as an error."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class Transport:
    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float,
        retry: RetryPolicy,
        ssl_context: Optional[ssl.SSLContext] = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Optional[random.Random] = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout
        self.retry = retry
        self._sleep = sleep
        self._rng = rng or random.Random()
        handlers: list[urllib.request.BaseHandler] = [_RefuseRedirects()]
        if ssl_context is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ssl_context))
        self._opener = urllib.request.build_opener(*handlers)

    def url(self, path: str, query: Sequence[Tuple[str, str]] = ()) -> str:
        encoded = urllib.parse.urlencode(list(query))
        return f"{self.base_url}{path}{'?' + encoded if encoded else ''}"

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Sequence[Tuple[str, str]] = (),
        body: Optional[bytes] = None,
        content_type: Optional[str] = None,
        headers: Optional[Mapping[str, str]] = None,
    ) -> Answer:
        """Sends, retrying connection errors, 408/425/429 and 5xx; raises CabcProblem for any other error answer."""
        url = self.url(path, query)
        all_headers = {
            "authorization": f"Bearer {self._token}",
            "accept": "application/json, application/problem+json",
            "user-agent": USER_AGENT,
            **(headers or {}),
        }
        if content_type is not None:
            all_headers["content-type"] = content_type
        attempts = self.retry.max_attempts
        for attempt in range(1, attempts + 1):
            try:
                status, answer_headers, raw = self._send(method, url, body, all_headers)
            except (OSError, http.client.HTTPException) as error:  # URLError, timeouts, resets
                if attempt == attempts:
                    raise CabcConnectionError(
                        f"the collector at {self.base_url} did not answer after {attempts} attempt(s): {_why(error)}",
                        attempts=attempts,
                        cause=error,
                    ) from error
                self._sleep(self.retry.backoff(attempt, self._rng))
                continue
            if 200 <= status < 300:
                return Answer(status, answer_headers, _json_or_none(raw))
            if 300 <= status < 400:
                location = answer_headers.get("location", "another URL")
                raise CabcProblem(status, "Redirect", f"the collector redirected to {location}: use that as its URL")
            retry_after = parse_retry_after(answer_headers.get("retry-after"))
            problem = CabcProblem.from_response(
                status, raw, content_type=answer_headers.get("content-type", ""), retry_after=retry_after
            )
            if status not in RETRYABLE_STATUSES or attempt == attempts:
                raise problem
            wait = self.retry.delay(attempt, retry_after, self._rng)
            if wait is None:
                raise problem
            self._sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _send(
        self, method: str, url: str, body: Optional[bytes], headers: Mapping[str, str]
    ) -> Tuple[int, Mapping[str, str], bytes]:
        request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return response.status, _lower(response.headers.items()), response.read()
        except urllib.error.HTTPError as error:
            with error:
                return error.code, _lower(error.headers.items()), error.read()


def _lower(items: Any) -> dict[str, str]:
    return {str(key).lower(): str(value) for key, value in items}


def _json_or_none(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None


def _why(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    return str(reason if reason is not None else error) or type(error).__name__
