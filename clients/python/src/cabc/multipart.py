"""multipart/form-data bodies for the collector's several-files upload (fields toe, format, model; parts `file`)."""

from __future__ import annotations

import uuid
from typing import Sequence, Tuple


def _quoted(value: str) -> str:
    # RFC 7578: quotes and backslashes escaped; line breaks would end the header, so they are dropped.
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "").replace("\n", "")


def encode_form(fields: Sequence[Tuple[str, str]], files: Sequence[Tuple[str, bytes, str]]) -> Tuple[bytes, str]:
    """The body and its content type; `files` are (file name, bytes, media type), all sent as parts named `file`."""
    boundary = f"cabc-{uuid.uuid4().hex}"
    chunks: list[bytes] = []
    for name, value in fields:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{_quoted(name)}"\r\n\r\n'.encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    for filename, content, media_type in files:
        header = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{_quoted(filename)}"\r\n'
            f"Content-Type: {media_type}\r\n\r\n"
        )
        chunks.append(header.encode("utf-8") + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"
