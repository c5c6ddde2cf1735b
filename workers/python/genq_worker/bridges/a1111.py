"""AUTOMATIC1111 / Forge / SD.Next bridge (their shared /sdapi/v1 API, started with
--api). txt2img jobs go to /sdapi/v1/txt2img, img2img jobs to /sdapi/v1/img2img with
the input image as init_images; while one runs, /sdapi/v1/progress is read every
--poll-ms for progress and the live preview (current_image); a cancelled job calls
/sdapi/v1/interrupt. The server runs one generation at a time and its progress is
global, so this bridge runs one job at a time whatever --concurrency says."""

import base64
import binascii
import threading
import time

from .. import media
from ..handler import Cancelled, Output
from .upstream import Upstream, UpstreamError, sniff_type

# The live preview is converted and sent at most this often.
PREVIEW_INTERVAL_S = 0.5
# genq parameter -> A1111 field, copied when the job has it.
FIELDS = {
    "prompt": "prompt", "negative_prompt": "negative_prompt", "seed": "seed", "steps": "steps",
    "guidance": "cfg_scale", "width": "width", "height": "height", "sampler": "sampler_name",
    "scheduler": "scheduler", "strength": "denoising_strength",
}


def check(options):
    # One generation at a time on the server: a second job would only wait there.
    options.concurrency = 1
    return None


def make(options, log):
    checkpoint = options.upstream_model if options.upstream_model and "=" not in options.upstream_model else None
    return A1111Bridge(options.upstream, options.poll_ms / 1000, options.upstream_timeout_s, checkpoint, log)


class A1111Bridge:
    def __init__(self, base, poll_s, timeout_s, checkpoint, log):
        self.upstream = Upstream(base, timeout_s=timeout_s, name="the A1111 API")
        self.poll_s = poll_s
        self.checkpoint = checkpoint
        self.log = log
        self.preview_at = 0.0

    def __call__(self, job, ctx):
        body = {"batch_size": 1, "n_iter": 1, "send_images": True, "save_images": False}
        for name, field in FIELDS.items():
            if job.params.get(name) is not None:
                body[field] = job.params[name]
        if self.checkpoint:
            body["override_settings"] = {"sd_model_checkpoint": self.checkpoint}
        if "image" in job.inputs:
            body["init_images"] = [base64.b64encode(ctx.input("image")).decode("ascii")]
            body.setdefault("denoising_strength", 0.75)
            route = "/sdapi/v1/img2img"
        elif job.task == "txt2img":
            route = "/sdapi/v1/txt2img"
        else:
            raise RuntimeError(f"the A1111 bridge runs txt2img and img2img, not {job.task}")

        outcome = {}
        finished = threading.Event()

        def generate():
            try:
                outcome["answer"] = self.upstream.json("POST", route, body)
            except BaseException as error:  # handed to the job's thread below
                outcome["error"] = error
            finally:
                finished.set()

        threading.Thread(target=generate, name=f"a1111-{job.id[:8]}", daemon=True).start()
        while not finished.wait(self.poll_s):
            try:
                ctx.check()
                self._report_progress(ctx)
            except Cancelled:
                # Cancelled by the client (the lease is gone) or the worker stopping.
                self._interrupt()
                raise
        ctx.check()
        if "error" in outcome:
            raise outcome["error"]
        images = outcome["answer"].get("images") or []
        if not images:
            raise UpstreamError(200, "the A1111 API answered no image")
        try:
            data = base64.b64decode(images[0].split(",", 1)[-1], validate=False)
        except (binascii.Error, ValueError):
            raise UpstreamError(200, "the A1111 API answered an image that is not base64") from None
        return Output.file_of(data, sniff_type(data, "image/png"))

    def _report_progress(self, ctx):
        try:
            state = self.upstream.json("GET", "/sdapi/v1/progress?skip_current_image=false", timeout_s=10)
        except Exception as error:  # progress is best effort; the generation decides the job
            self.log(f"A1111 progress: {error}")
            return
        percent = min(95.0, 95.0 * float(state.get("progress") or 0))
        if percent > 0:
            # Progress first: converting the preview may take a while (ffmpeg).
            ctx.progress(percent)
        if state.get("current_image") and time.monotonic() - self.preview_at >= PREVIEW_INTERVAL_S:
            self.preview_at = time.monotonic()
            try:
                preview = media.to_jpeg_preview(base64.b64decode(state["current_image"].split(",", 1)[-1]))
            except Exception:  # a preview that does not convert is skipped
                preview = None
            if preview:
                ctx.progress(percent, preview)

    def _interrupt(self):
        try:
            self.upstream.json("POST", "/sdapi/v1/interrupt", {}, timeout_s=10)
        except Exception as error:  # the job is dropped either way
            self.log(f"A1111 interrupt: {error}")
