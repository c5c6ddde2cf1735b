"""The HTTP side of the worker protocol (docs/worker-protocol.md).

One method per endpoint, the bearer token on every call, and the retry rule of the
protocol's "Errors" section: network errors and 5xx answers are retried with backoff
(0.5 s doubling to 30 s), 409 lease_lost becomes LeaseLost, any other answer outside
2xx a ProtocolError that is never retried. Holds no per-job state: one client serves
every job, from any thread.
"""

import http.client
import os
import json
import random
import socket
import threading
import urllib.parse

# One attempt may not hang forever on a server that accepted and went quiet.
CALL_TIMEOUT_S = 30.0
# A claim is held up to wait_ms by design; allow that much more before giving up.
CLAIM_SLACK_S = 15.0
# Upload bodies are sent in blocks of this size, never held whole for a file.
UPLOAD_BLOCK = 256 * 1024


class LeaseLost(Exception):
    """The job is no longer this worker's: stop at once, discard the output."""

    def __init__(self, job_id):
        super().__init__(f"lease lost on job {job_id}")
        self.job_id = job_id


class ProtocolError(Exception):
    """An answer the protocol says not to retry (400, 401, 404, 413, 422, ...)."""

    def __init__(self, status, body, what):
        shown = body if isinstance(body, str) else json.dumps(body)
        super().__init__(f"{what} answered {status}: {shown[:500]}")
        self.status = status
        self.body = body


class Stopped(Exception):
    """The caller's stop event was set while a call waited to be retried."""


class Backoff:
    """0.5 s doubling to 30 s, with jitter so a fleet does not reconnect in step."""

    def __init__(self, first_s=0.5, max_s=30.0):
        self.first_s = first_s
        self.max_s = max_s
        self.next_s = first_s

    def reset(self):
        self.next_s = self.first_s

    def next(self):
        delay = self.next_s
        self.next_s = min(self.next_s * 2, self.max_s)
        return delay * (0.9 + random.random() * 0.2)


def split_url(url):
    """(connection class, host, port, path prefix) of an http(s) URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url}")
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return cls, parts.hostname, port, parts.path.rstrip("/")


class Call:
    """One HTTP exchange whose connection another thread may cut (abort()).

    Cutting the socket is how a waiting claim is abandoned on stop: the server sees
    the hang-up and withdraws the claim.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._conn = None
        self._aborted = False

    def open(self, cls, host, port, timeout):
        with self._lock:
            if self._aborted:
                raise Stopped()
            self._conn = cls(host, port, timeout=timeout)
            return self._conn

    def abort(self):
        with self._lock:
            self._aborted = True
            conn = self._conn
        if conn is not None and conn.sock is not None:
            try:
                conn.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self):
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


class ProtocolClient:
    """log(line) reports retries; the token never appears in it."""

    def __init__(self, server, token, log):
        self.cls, self.host, self.port, self.prefix = split_url(server)
        self.token = token
        self.log = log

    # -- endpoints ---------------------------------------------------------------

    def claim(self, request, stop, call=None):
        """POST /claim: the leased jobs ([] when wait_ms passed idle)."""
        timeout = request.get("wait_ms", 25000) / 1000 + CLAIM_SLACK_S
        answer = self._call("POST", "/api/v1/worker/claim", request, "claim", stop,
                            timeout=timeout, call=call)
        jobs = answer.get("jobs") if isinstance(answer, dict) else None
        return jobs if isinstance(jobs, list) else []

    def heartbeat(self, job, stop):
        return self._call("POST", _job_path(job, "heartbeat"), {"lease_id": job["lease_id"]},
                          "heartbeat", stop, job=job)

    def progress(self, job, percent, preview_b64, stop):
        body = {"lease_id": job["lease_id"], "progress": percent}
        if preview_b64:
            body["preview"] = preview_b64
        return self._call("POST", _job_path(job, "progress"), body, "progress", stop, job=job)

    def upload(self, job, source, content_type, stop):
        """PUT the result: source is bytes or a file path, streamed with its length."""
        path = _job_path(job, "result") + "?lease_id=" + urllib.parse.quote(job["lease_id"], safe="")
        return self._call("PUT", path, None, "result upload", stop, job=job,
                          upload=(source, content_type))

    def complete(self, job, result, stop):
        body = {"lease_id": job["lease_id"]}
        if result is not None:
            body["result"] = result
        return self._call("POST", _job_path(job, "complete"), body, "complete", stop, job=job)

    def complete_many(self, items, stop):
        """POST /api/v1/worker/complete: items are (job, result) pairs, 1 to 64.

        Answers one entry per item, in order: {job_id, status: "done"} or
        {job_id, status: "refused", http_status, message, code?}.
        """
        jobs = []
        for job, result in items:
            entry = {"job_id": job["job_id"], "lease_id": job["lease_id"]}
            if result is not None:
                entry["result"] = result
            jobs.append(entry)
        return self._call("POST", "/api/v1/worker/complete", {"jobs": jobs}, "batch complete", stop)["jobs"]

    def fail(self, job, error, retryable, stop, error_code="PROCESSING_ERROR", detail=None):
        """`detail` (a traceback, a tool's stderr) is for the operator: genq shows it in
        the admin API only (docs/worker-protocol.md)."""
        body = {"lease_id": job["lease_id"], "error": str(error)[:2000], "error_code": error_code,
                "retryable": bool(retryable)}
        if detail:
            body["detail"] = detail[-16384:]  # genq keeps 16 KiB; a traceback's end says most
        return self._call("POST", _job_path(job, "fail"), body, "fail", stop, job=job)

    def release(self, job, stop):
        """Gives the job back unjudged (stopping): the attempt is not counted."""
        return self._call("POST", _job_path(job, "release"), {"lease_id": job["lease_id"]},
                          "release", stop, job=job)

    def download(self, url, stop):
        """GET of a signed input URL (no token), same retry rule; the bytes."""
        cls, host, port, _ = split_url(url)
        parts = urllib.parse.urlsplit(url)
        target = (parts.path or "/") + ("?" + parts.query if parts.query else "")

        def attempt(call):
            conn = call.open(cls, host, port, CALL_TIMEOUT_S)
            conn.request("GET", target)
            response = conn.getresponse()
            data = response.read()
            if 200 <= response.status < 300:
                return True, data
            if response.status >= 500:
                return False, f"{response.status} {data[:200]!r}"
            raise ProtocolError(response.status, data[:500].decode("utf-8", "replace"), "input download")

        return self._retrying("input download", stop, attempt)

    # -- plumbing ----------------------------------------------------------------

    def _call(self, method, path, body, what, stop, job=None, timeout=CALL_TIMEOUT_S, upload=None, call=None):
        headers = {"Authorization": f"Bearer {self.token}"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"

        def attempt(attempt_call):
            conn = attempt_call.open(self.cls, self.host, self.port, timeout)
            if upload is not None:
                _send_upload(conn, method, self.prefix + path, headers, *upload)
            else:
                conn.request(method, self.prefix + path, body=payload, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            try:
                answer = json.loads(text) if text else {}
            except ValueError:
                answer = text
            if 200 <= response.status < 300:
                return True, answer
            if response.status == 409 and isinstance(answer, dict) and answer.get("code") == "lease_lost":
                raise LeaseLost(job["job_id"] if job else "?")
            if response.status >= 500:
                return False, f"{response.status} {text[:200]}"
            raise ProtocolError(response.status, answer, what)

        return self._retrying(what, stop, attempt, call)

    def _retrying(self, what, stop, attempt, call=None):
        """Runs attempt(call) until it answers (True, value); (False, reason) and
        network errors wait out the backoff. Only `stop` (a threading.Event, or None)
        ends the retries early, with Stopped."""
        backoff = Backoff()
        while True:
            if stop is not None and stop.is_set():
                raise Stopped()
            this_call = call or Call()
            try:
                done, value = attempt(this_call)
                if done:
                    return value
                reason = value
            except (LeaseLost, ProtocolError, Stopped):
                raise
            except (OSError, http.client.HTTPException) as error:
                if stop is not None and stop.is_set():
                    raise Stopped() from error
                reason = f"{type(error).__name__}: {error}"
            finally:
                this_call.close()
            if call is not None and call._aborted:
                raise Stopped()
            delay = backoff.next()
            self.log(f"{what}: {reason}; retrying in {int(delay * 1000)} ms")
            if stop is not None:
                if stop.wait(delay):
                    raise Stopped()
            else:
                threading.Event().wait(delay)


def _job_path(job, action):
    return f"/api/v1/worker/jobs/{urllib.parse.quote(job['job_id'], safe='')}/{action}"


def _send_upload(conn, method, path, headers, source, content_type):
    """Sends bytes or a file's content with its Content-Length, block by block."""
    headers = dict(headers, **{"Content-Type": content_type})
    if isinstance(source, (bytes, bytearray, memoryview)):
        headers["Content-Length"] = str(len(source))
        conn.request(method, path, body=bytes(source), headers=headers)
        return
    size = os.path.getsize(source)
    headers["Content-Length"] = str(size)
    conn.putrequest(method, path)
    for name, value in headers.items():
        conn.putheader(name, value)
    conn.endheaders()
    with open(source, "rb") as handle:
        while True:
            block = handle.read(UPLOAD_BLOCK)
            if not block:
                break
            conn.send(block)
