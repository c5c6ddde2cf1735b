"""The handler API: what a model's code receives and returns.

A handler is one function, handler(job, ctx) -> output, run on its own thread for
each leased job:

    def generate(job, ctx):
        image = pipeline(job.params["prompt"], callback=lambda i, n: ctx.progress(100 * i / n))
        return image            # a PIL image becomes a PNG

`job` holds the claim's fields; `ctx` downloads inputs, reports progress with an
optional preview, and says when to stop. What a handler may return:

- Output.file_of(bytes_or_path, content_type) for image, audio and video tasks
  (a PIL image or anything with .save(fp, format="PNG") is taken as a PNG),
- Output.text(str) / a str for text tasks, Output.json(value) / a dict or list for json tasks.

Raising InvalidInput fails the job as INVALID_INPUT (not retried); Retryable puts it
back for another attempt; any other exception fails it with its message. When the
job is cancelled, its lease lost or the worker stopping, ctx.progress() raises
Cancelled and ctx.cancelled is set: stop work, the output is dropped.
"""

import io
import threading


class InvalidInput(Exception):
    """The job's own input is unusable: INVALID_INPUT, another worker would fail too."""


class Retryable(Exception):
    """A failure another attempt may not repeat (the model server was busy)."""


class Cancelled(Exception):
    """The job is no longer to be worked on (lease lost, or the worker stopping)."""


class Job:
    """A leased job, as the claim answered it (docs/worker-protocol.md)."""

    def __init__(self, claim):
        self.raw = claim
        self.id = claim["job_id"]
        self.task = claim.get("task", "")
        self.model = claim.get("model", "")
        self.params = claim.get("params") or {}
        self.inputs = claim.get("inputs") or {}
        self.output = claim.get("output", "")
        self.attempt = claim.get("attempt", 1)
        self.max_attempts = claim.get("max_attempts", 1)

    def __repr__(self):
        return f"Job({self.id}, {self.task} on {self.model})"


class Output:
    """What a handler produced: a file to upload and/or an inline result."""

    def __init__(self, file=None, content_type=None, result=None):
        self.file = file                # bytes, or a path to a file
        self.content_type = content_type
        self.result = result            # str or JSON value, or None

    @classmethod
    def file_of(cls, data, content_type):
        """A result file to upload: bytes, or the path of a file (streamed)."""
        return cls(file=data, content_type=content_type)

    @classmethod
    def text(cls, text):
        return cls(result=str(text))

    @classmethod
    def json(cls, value):
        return cls(result=value)

    @classmethod
    def of(cls, value):
        """Turns whatever a handler returned into an Output."""
        if isinstance(value, Output):
            return value
        if value is None:
            return cls()
        if isinstance(value, str):
            return cls.text(value)
        if isinstance(value, (dict, list)):
            return cls.json(value)
        if isinstance(value, (bytes, bytearray)):
            raise TypeError("a handler returning bytes must say their type: Output.file_of(data, content_type)")
        if hasattr(value, "save"):
            buffer = io.BytesIO()
            value.save(buffer, format="PNG")
            return cls.file_of(buffer.getvalue(), "image/png")
        raise TypeError(f"a handler returned {type(value).__name__}; return an Output")


class Context:
    """Per-job services for a handler. Made by the worker; thread-safe."""

    def __init__(self, job, work_dir, report, download, cancelled):
        self.job = job
        self.work_dir = work_dir
        self.cancelled = cancelled          # threading.Event
        self._report = report               # report(percent, jpeg_bytes_or_None)
        self._download = download           # download(url) -> bytes
        self._inputs = {}
        self._last = 0.0
        self._lock = threading.Lock()

    def input(self, field):
        """The bytes of the uploaded file `field` (e.g. "image"), downloaded once."""
        if field not in self.job.inputs:
            raise KeyError(f"the job has no {field} input")
        if field not in self._inputs:
            self._inputs[field] = self._download(self.job.inputs[field])
        return self._inputs[field]

    def progress(self, percent, preview=None):
        """Reports progress (0-100, never decreasing) and optionally a preview:
        JPEG bytes, or a PIL image (made a JPEG of long side <= 256). Extends the
        lease. Raises Cancelled when the job should stop."""
        self.check()
        with self._lock:
            percent = max(self._last, min(100.0, max(0.0, float(percent))))
            self._last = percent
        self._report(round(percent, 2), _preview_bytes(preview))

    def check(self):
        """Raises Cancelled when the job should stop; call it between steps."""
        if self.cancelled.is_set():
            raise Cancelled("the job was cancelled or the worker is stopping")


def _preview_bytes(preview):
    if preview is None or isinstance(preview, (bytes, bytearray)):
        return bytes(preview) if preview else None
    if hasattr(preview, "save"):
        image = preview
        if hasattr(image, "thumbnail"):
            image = image.copy()
            image.thumbnail((256, 256))
        if getattr(image, "mode", "RGB") != "RGB" and hasattr(image, "convert"):
            image = image.convert("RGB")
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=70)
        return buffer.getvalue()
    raise TypeError("a preview is JPEG bytes or a PIL image")
