"""CABC Python SDK: push ML evidence from pipelines to a CABC evidence collector (standard library only).

    import cabc
    client = cabc.Client()  # CABC_COLLECTOR_URL, CABC_TOKEN, the CI's run id from the environment
    client.push_metrics("credit-scoring", "performance", {"accuracy": 0.93},
                        subject=cabc.Subject.from_file("model.onnx"))
    client.push_file("credit-scoring", "reports/drift.json", subject="model.onnx@sha256:...")

Tool helpers (imported on use, the tools themselves only when called): `cabc.mlflow.push_run`,
`cabc.evidently.push_report`, `cabc.great_expectations.push_validation`.
"""

from ._version import __version__
from .answers import Delivery, Evidence, EvidencePage, Submission
from .client import Client
from .errors import (
    CabcConnectionError,
    CabcError,
    CabcProblem,
    DeliveryRejected,
    DeliveryTimeout,
    FieldError,
    InvalidArgument,
    InvalidArgumentType,
)
from .evidence import Check, Context, Measurement, Producer, Subject
from .idempotency import run_id_from_environment
from .push_report import PushedFile, PushReport
from .retry import RetryPolicy
from .vocabulary import CHECK_STATUSES, EVIDENCE_KINDS, FORMATS, RUN_ID_VARIABLES

__all__ = [
    "CHECK_STATUSES",
    "EVIDENCE_KINDS",
    "FORMATS",
    "RUN_ID_VARIABLES",
    "CabcConnectionError",
    "CabcError",
    "CabcProblem",
    "Check",
    "Client",
    "Context",
    "Delivery",
    "DeliveryRejected",
    "DeliveryTimeout",
    "Evidence",
    "EvidencePage",
    "FieldError",
    "InvalidArgument",
    "InvalidArgumentType",
    "Measurement",
    "Producer",
    "PushReport",
    "PushedFile",
    "RetryPolicy",
    "Subject",
    "Submission",
    "__version__",
    "run_id_from_environment",
]
