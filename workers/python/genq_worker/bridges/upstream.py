"""HTTP to an inference server, for the bridges: JSON and multipart requests, and the
rule that turns its answers into a job's outcome. A refused connection or a 503
(busy, loading) is Retryable; any other non-2xx is UpstreamError with the server's
own message, which becomes the job's error."""

import http.client
import json
import uuid

from ..client import split_url
from ..handler import Retryable


class UpstreamError(RuntimeError):
    """The inference server answered an error; str() is what the job's client sees."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status


def error_message(body):
    """The human part of an error body, in the shapes these servers use:
    {"error": "..."}, {"error": {"message": ...}}, {"detail": ...}, {"message": ...}."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body.decode("utf-8", "replace").strip()[:500] if isinstance(body, bytes) else str(body)[:500]
    if isinstance(value, dict):
        for key in ("error", "detail", "message", "errors"):
            item = value.get(key)
            if isinstance(item, dict) and "message" in item:
                item = item["message"]
            if isinstance(item, list) and item and isinstance(item[0], dict) and "msg" in item[0]:
                item = "; ".join(f"{'.'.join(map(str, e.get('loc', [])))}: {e['msg']}" for e in item)
            if item:
                if key == "error" and isinstance(value.get("errors"), str) and value["errors"] != item:
                    # A1111 puts the exception's type in "error" and its text in "errors".
                    return f"{item}: {value['errors']}"[:500]
                return str(item)[:500]
    return json.dumps(value)[:500]


class Upstream:
    """One inference server at `base` (scheme://host:port/prefix)."""

    def __init__(self, base, timeout_s=600, api_key=None, name="model server"):
        self.cls, self.host, self.port, self.prefix = split_url(base)
        self.base = base
        self.timeout_s = timeout_s
        self.api_key = api_key
        self.name = name

    def request(self, method, path, body=None, headers=None, timeout_s=None, want=(200, 299)):
        """(status, headers dict lower-cased, body bytes); raises Retryable when the
        server is unreachable or 503, UpstreamError on another error status."""
        headers = dict(headers or {})
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        conn = self.cls(self.host, self.port, timeout=timeout_s or self.timeout_s)
        try:
            conn.request(method, self.prefix + path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            answer_headers = {k.lower(): v for k, v in response.getheaders()}
        except (OSError, http.client.HTTPException) as error:
            raise Retryable(f"{self.name} at {self.base} is unreachable: {error}") from None
        finally:
            conn.close()
        if want[0] <= response.status <= want[1]:
            return response.status, answer_headers, data
        message = f"{self.name} answered {response.status}: {error_message(data)}"
        if response.status == 503:
            raise Retryable(message)
        raise UpstreamError(response.status, message)

    def json(self, method, path, value=None, timeout_s=None):
        body = None if value is None else json.dumps(value).encode()
        headers = {"Content-Type": "application/json"} if body is not None else {}
        _, _, data = self.request(method, path, body, headers, timeout_s)
        try:
            return json.loads(data) if data else {}
        except ValueError:
            raise UpstreamError(200, f"{self.name} answered something that is not JSON: {data[:200]!r}") from None

    def multipart(self, path, fields, files, timeout_s=None):
        """POST multipart/form-data: fields {name: text}, files {name: (filename, bytes, type)}."""
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, (filename, data, content_type) in files.items():
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                         f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts),
                            {"Content-Type": f"multipart/form-data; boundary={boundary}"}, timeout_s)


def sniff_type(data, fallback="application/octet-stream"):
    """A file's content type from its first bytes."""
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data[:2] == b"\xff\xd8":
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    if data[:3] == b"ID3" or data[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if data[:4] == b"OggS":
        return "audio/ogg"
    if data[:4] == b"fLaC":
        return "audio/flac"
    if data[4:8] == b"ftyp":
        return "video/mp4"
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return fallback
