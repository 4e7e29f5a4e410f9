"""Idempotency-Keys: derived from the CI run id, so that a retried job (or a retried request) stores nothing twice."""

from __future__ import annotations

import hashlib
import os
import uuid
from typing import Mapping, Optional, Sequence

from .vocabulary import RUN_ID_VARIABLES


def run_id_from_environment(environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """The first non-empty of CABC_RUN_ID, GITHUB_RUN_ID, CI_PIPELINE_ID, ... (see RUN_ID_VARIABLES)."""
    env = os.environ if environ is None else environ
    for name in RUN_ID_VARIABLES:
        value = env.get(name, "").strip()
        if value:
            return value
    return None


def derive_key(run_id: Optional[str], parts: Sequence[str]) -> str:
    """`cabc-py-<48 hex>` over the run id and what the request is (ToE, format, subjects, content digest...).

    With a run id, the same request in the same CI run gets the same key, and the collector answers it from the first
    push. Without one, each call gets a fresh key: its own retries are still safe, a later call is new evidence.
    """
    scope = f"run:{run_id}" if run_id else f"call:{uuid.uuid4()}"
    digest = hashlib.sha256("\n".join([scope, *parts]).encode("utf-8")).hexdigest()
    return f"cabc-py-{digest[:48]}"
