"""The worker loop: claims jobs by long-poll while it has free slots (never more than
`concurrency` at once), runs each on the handler in its own thread while keeping its
lease alive, uploads and completes; stop() lets running jobs finish for a grace
period and hands back the rest (release: the attempt is not counted)."""

import base64
import shutil
import tempfile
import threading
import time
import traceback

from .client import Call, LeaseLost, ProtocolError, Stopped
from .handler import Cancelled, Context, InvalidInput, Job, Output, Retryable

# A hand-back or a failure report gets this long; after that the lease simply expires.
LAST_WORD_S = 10.0


def _deadline_event(seconds):
    """An Event that sets itself after `seconds`: a time limit for a last call."""
    event = threading.Event()
    timer = threading.Timer(seconds, event.set)
    timer.daemon = True
    timer.start()
    return event


class JobRun:
    """One leased job from claim to complete/fail/release, on its own thread."""

    def __init__(self, claim, client, handler, log, on_done):
        self.job = Job(claim)
        self.claim = claim
        self.client = client
        self.handler = handler
        self.log = log
        self.on_done = on_done
        self.cancelled = threading.Event()   # stop working: lease lost or handing back
        self.finished = threading.Event()
        # Nothing more to say to the server: finished, or released while the handler winds down.
        self.settled = threading.Event()
        self.release_lock = threading.Lock()
        self.released = False
        self.lease_lost = False
        self.hand_back_reason = None
        lease_s = claim.get("lease_ms", 30000) / 1000
        self.heartbeat_s = max(0.05, claim.get("heartbeat_ms", lease_s * 1000 / 3) / 1000)
        self.extended_at = time.monotonic()
        self.thread = threading.Thread(target=self._run, name=f"job-{self.job.id[:8]}", daemon=True)
        self.beat_thread = threading.Thread(target=self._beat, name=f"beat-{self.job.id[:8]}", daemon=True)

    def start(self):
        self.thread.start()
        self.beat_thread.start()

    def hand_back(self, reason):
        """Stop the handler and give the job back to the queue at once, without
        waiting for a handler that is slow to notice (the worker may be exiting)."""
        if self.hand_back_reason is None and not self.lease_lost:
            self.hand_back_reason = reason
        self.cancelled.set()
        if self.hand_back_reason is not None and not self.finished.is_set():
            threading.Thread(target=self._release, name=f"release-{self.job.id[:8]}", daemon=True).start()

    def _release(self):
        with self.release_lock:
            if self.released or self.lease_lost:
                return
            self.released = True
        try:
            answer = self.client.release(self.claim, _deadline_event(LAST_WORD_S))
            self.log(f"job {self.job.id} handed back ({self.hand_back_reason}): now {answer.get('status')}")
        except LeaseLost:
            pass
        except (Stopped, ProtocolError, OSError) as error:
            self.log(f"job {self.job.id}: could not hand back ({error}); its lease will expire")
        finally:
            self.settled.set()

    def _lost(self):
        if self.hand_back_reason is None:
            self.lease_lost = True
        self.cancelled.set()

    # -- the job's thread ----------------------------------------------------------

    def _run(self):
        job = self.job
        self.log(f"job {job.id} leased: {job.task} on {job.model}, attempt {job.attempt}/{job.max_attempts}")
        work_dir = tempfile.mkdtemp(prefix="genq-worker-py-")
        try:
            ctx = Context(job, work_dir, self._report, lambda url: self._download(url), self.cancelled)
            output = Output.of(self.handler(job, ctx))
            ctx.check()
            if output.file is not None:
                self.client.upload(self.claim, output.file, output.content_type or "application/octet-stream",
                                   self.cancelled)
            self.client.complete(self.claim, output.result, self.cancelled)
            self.log(f"job {job.id} done")
        except BaseException as error:  # noqa: B902  (a handler may raise anything)
            self._settle(error)
        finally:
            self.finished.set()
            shutil.rmtree(work_dir, ignore_errors=True)
            if self.released:
                # A hand-back's release is in flight on its own thread: the slot is
                # free only once it is answered (the worker may be about to exit).
                self.settled.wait(LAST_WORD_S + 1)
            else:
                self.settled.set()
            self.on_done(self)

    def _download(self, url):
        try:
            return self.client.download(url, self.cancelled)
        except Stopped:
            raise Cancelled("stopped while downloading an input") from None
        except ProtocolError as error:
            raise Retryable(f"could not download an input: {error}") from None

    def _settle(self, error):
        """After anything but success: a lost lease is dropped silently, a stop hands
        the job back, anything else is the model failing and ends the job in error."""
        job = self.job
        if isinstance(error, LeaseLost):
            self._lost()
        if self.lease_lost:
            self.log(f"job {job.id}: lease lost (cancelled or requeued); output discarded")
            return
        if self.hand_back_reason is not None:
            self._release()
            return
        try:
            detail = None
            if isinstance(error, (Cancelled, Stopped)):
                message, code, retryable = "the job was stopped", "PROCESSING_ERROR", True
            elif isinstance(error, InvalidInput):
                message, code, retryable = str(error), "INVALID_INPUT", False
            elif isinstance(error, Retryable):
                message, code, retryable = str(error), "PROCESSING_ERROR", True
            else:
                message, code, retryable = str(error) or type(error).__name__, "PROCESSING_ERROR", False
                # The model failed: its traceback goes to the operator (the admin API),
                # the client sees the message alone.
                detail = "".join(traceback.format_exception(error)).rstrip()
                if not isinstance(error, (RuntimeError, ValueError, ProtocolError, OSError)):
                    self.log(detail)
            self.log(f"job {job.id} failed: {message}")
            self.client.fail(self.claim, message, retryable, _deadline_event(LAST_WORD_S), code, detail)
        except LeaseLost:
            pass
        except (Stopped, ProtocolError, OSError) as report_error:
            self.log(f"job {job.id}: could not report ({report_error}); its lease will expire")

    def _report(self, percent, jpeg):
        preview = base64.b64encode(jpeg).decode("ascii") if jpeg else None
        try:
            try:
                self.client.progress(self.claim, percent, preview, self.cancelled)
            except ProtocolError as error:
                if preview is None:
                    raise
                # A preview the server refused (too large, not a JPEG) must not end the job.
                self.log(f"job {self.job.id}: preview refused ({error}); sent without")
                self.client.progress(self.claim, percent, None, self.cancelled)
        except LeaseLost:
            self._lost()
            raise Cancelled("lease lost") from None
        except Stopped:
            raise Cancelled("stopping") from None
        self.extended_at = time.monotonic()

    # -- the heartbeat thread --------------------------------------------------------

    def _beat(self):
        """Heartbeats whenever heartbeat_s passes without a progress report."""
        while True:
            due = self.extended_at + self.heartbeat_s - time.monotonic()
            if due > 0:
                if self.finished.wait(due) or self.cancelled.is_set():
                    return
                continue
            if self.finished.is_set() or self.cancelled.is_set():
                return
            try:
                self.client.heartbeat(self.claim, self.cancelled)
                self.extended_at = time.monotonic()
            except LeaseLost:
                self._lost()
                return
            except Stopped:
                return
            except ProtocolError as error:
                self.log(f"job {self.job.id}: heartbeat failed: {error}")
                self.extended_at = time.monotonic()


class Worker:
    """Claims and runs jobs until stop(). `handler(job, ctx)` runs each one."""

    def __init__(self, client, handler, *, models=(), concurrency=1, worker_id="python-worker",
                 wait_ms=25000, grace_s=20.0, log=print):
        self.client = client
        self.handler = handler
        self.models = list(models)
        self.concurrency = concurrency
        self.worker_id = worker_id[:128]
        self.wait_ms = wait_ms
        self.grace_s = grace_s
        self.log = log
        self.runs = {}                       # job_id -> JobRun; never more than concurrency
        self.changed = threading.Condition()
        self.stopping = threading.Event()
        self.claim_call = None
        self.grace_timer = None

    def run(self):
        """Claims and runs jobs until stop(); returns once every job is settled.
        Raises ProtocolError on an answer no retry fixes (401 token, 422 models)."""
        fatal = None
        while not self.stopping.is_set():
            with self.changed:
                free = self.concurrency - len(self.runs)
                if free <= 0:
                    # A timeout, so signal handlers run even while every slot is busy.
                    self.changed.wait(0.5)
                    continue
            request = {"worker_id": self.worker_id, "max_jobs": min(free, 32), "wait_ms": self.wait_ms}
            if self.models:
                request["models"] = self.models
            self.claim_call = Call()
            try:
                jobs = self.client.claim(request, self.stopping, self.claim_call)
            except Stopped:
                break
            except ProtocolError as error:
                fatal = error
                break
            finally:
                self.claim_call = None
            for claim in jobs:
                self._start(claim)
        if fatal is not None:
            self.log(f"cannot claim: {fatal}")
            self._hand_back_all("the server refused claims")
        while True:
            with self.changed:
                if all(run.settled.is_set() for run in self.runs.values()):
                    break
                self.changed.wait(0.5)
        if self.grace_timer is not None:
            self.grace_timer.cancel()
        if fatal is not None:
            raise fatal

    def stop(self, why):
        """First call: claim nothing more, let running jobs finish for grace_s, then
        hand them back. A second call hands them back at once."""
        if self.stopping.is_set():
            self.log(f"{why} again: handing back {len(self.runs)} job(s) now")
            self._hand_back_all(why)
            return
        self.stopping.set()
        call = self.claim_call
        if call is not None:
            # The server sees the hang-up and withdraws the waiting claim.
            call.abort()
        self.log(f"{why}: claiming no more; {len(self.runs)} job(s) running, "
                 f"handed back if not done in {int(self.grace_s * 1000)} ms")
        self.grace_timer = threading.Timer(self.grace_s, self._hand_back_all, args=("grace period over",))
        self.grace_timer.daemon = True
        self.grace_timer.start()
        with self.changed:
            self.changed.notify_all()

    def _hand_back_all(self, reason):
        with self.changed:
            runs = list(self.runs.values())
        for run in runs:
            run.hand_back(reason)

    def _start(self, claim):
        with self.changed:
            full = len(self.runs) >= self.concurrency
            if not full:
                run = JobRun(claim, self.client, self.handler, self.log, self._done)
                self.runs[claim["job_id"]] = run
        if full:
            # Guard the cap even against a server that sends more than max_jobs.
            self.log(f"job {claim['job_id']}: no free slot; handing it back")
            try:
                self.client.release(claim, _deadline_event(LAST_WORD_S))
            except (LeaseLost, ProtocolError, Stopped, OSError) as error:
                self.log(f"job {claim['job_id']}: could not hand back ({error})")
            return
        run.start()

    def _done(self, run):
        with self.changed:
            self.runs.pop(run.job.id, None)
            self.changed.notify_all()
