"""HTTP for the SaaS extractors: one session, retries on 429 (honouring Retry-After) and 5xx with
exponential backoff (tenacity), and errors that name the system, the URL and what to do."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from tenacity import (
    RetryCallState,
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from revgen.errors import RevgenError

log = logging.getLogger(__name__)


class ApiError(RevgenError):
    """A SaaS API answered with an error we cannot retry, or kept failing."""


class _Retryable(Exception):
    def __init__(self, response: requests.Response) -> None:
        super().__init__(f"HTTP {response.status_code}")
        self.response = response


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    initial_wait_s: float = 1.0
    max_wait_s: float = 60.0


def _wait(policy: RetryPolicy):
    backoff = wait_exponential_jitter(
        multiplier=policy.initial_wait_s, max=policy.max_wait_s, jitter=policy.initial_wait_s
    )

    def wait(state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, _Retryable):
            after = error.response.headers.get("Retry-After")
            if after is not None:
                try:
                    return min(float(after), policy.max_wait_s)
                except ValueError:
                    pass
        return backoff(state)

    return wait


class ApiClient:
    """A JSON API over one base URL with a bearer token."""

    def __init__(
        self,
        system: str,
        base_url: str,
        token: str,
        retry_policy: RetryPolicy | None = None,
        timeout_s: float = 60,
    ) -> None:
        self.system = system
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.session.headers["Accept"] = "application/json"
        self.policy = retry_policy or RetryPolicy()
        self.timeout_s = timeout_s
        self.requests_made = 0

    def request(self, method: str, path_or_url: str, **kwargs) -> dict:
        url = path_or_url if path_or_url.startswith("http") else self.base_url + path_or_url

        @retry(
            retry=retry_if_exception(
                lambda e: isinstance(e, (_Retryable, requests.ConnectionError, requests.Timeout))
            ),
            wait=_wait(self.policy),
            stop=stop_after_attempt(self.policy.attempts),
            reraise=True,
            before_sleep=lambda state: log.warning(
                "%s: %s %s failed (%s), retry %d of %d",
                self.system,
                method,
                url,
                state.outcome.exception() if state.outcome else "?",
                state.attempt_number,
                self.policy.attempts - 1,
            ),
        )
        def attempt() -> dict:
            self.requests_made += 1
            response = self.session.request(method, url, timeout=self.timeout_s, **kwargs)
            if response.status_code == 429 or response.status_code >= 500:
                raise _Retryable(response)
            if response.status_code >= 400:
                raise ApiError(
                    f"{self.system}: {method} {url} answered {response.status_code}: "
                    f"{response.text[:300]}. Check the {self.system} connection's token and "
                    "permissions."
                )
            return response.json()

        try:
            return attempt()
        except _Retryable as err:
            raise ApiError(
                f"{self.system}: {method} {url} still failing after "
                f"{self.policy.attempts} attempts ({err}); the run can be retried and "
                "resumes from the last saved watermark."
            ) from err
        except (requests.ConnectionError, requests.Timeout) as err:
            raise ApiError(
                f"{self.system}: cannot reach {url} ({type(err).__name__}); check the "
                "connection's host and the network."
            ) from err
