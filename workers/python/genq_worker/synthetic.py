"""The synthetic handler: runs no model, but takes the steps a model would (one
progress report each, after step_delay_s) and returns a result of the kind each
task's `output` names: a PNG of the requested size (a JPEG preview every step), a
WAV of the requested length, an MP4 (ffmpeg), a text or an embedding. It lets the
library be tried anywhere, and is what `--synthetic` serves every model with."""

import os
import re
import threading

from . import media
from .handler import InvalidInput, Output

# Steps for a model without a "steps" (or "inference_steps") parameter.
FALLBACK_STEPS = 8
PREVIEW_SIDE = 64
MAX_IMAGE_SIDE = 4096
MAX_VIDEO_SIDE = 1280
MAX_SECONDS = 600


def _number(value, fallback):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return fallback
    return value


def _clamp(value, low, high):
    return min(max(value, low), high)


class SyntheticHandler:
    def __init__(self, step_delay_s=0.2, log=print):
        self.step_delay_s = step_delay_s
        self.log = log
        self.previews_broken = False

    def __call__(self, job, ctx):
        params = job.params
        inputs = {}
        for field in job.inputs:
            inputs[field] = ctx.input(field)
            # Like a real model's loader: a truncated or garbage upload fails here.
            path = os.path.join(ctx.work_dir, "input-" + re.sub(r"[^A-Za-z0-9_-]", "_", field))
            with open(path, "wb") as handle:
                handle.write(inputs[field])
            problem = media.decode_problem(path)
            if problem:
                raise InvalidInput(f"the {field} input does not decode: {problem}")
        seed = int(_number(params.get("seed"), 0))
        steps = max(1, int(_number(params.get("steps"), _number(params.get("inference_steps"), FALLBACK_STEPS))))
        image = _image_size(job.task, params, inputs) if job.output == "image" else None

        for step in range(1, steps + 1):
            # The preview is made while the step's time passes, as a model's would be.
            made = {}
            maker = threading.Thread(target=lambda: made.update(jpeg=self._preview(step, steps, seed)), daemon=True)
            if image:
                maker.start()
            if ctx.cancelled.wait(self.step_delay_s):
                ctx.check()
            if image:
                maker.join()
            ctx.progress(step * 100 / steps, made.get("jpeg"))

        if job.output == "image":
            channels = 4 if job.task == "img-rmbg" else 3
            width, height = image
            rows = media.gradient(width, height, seed, channels)
            return Output.file_of(media.encode_png(width, height, rows, channels), "image/png")
        if job.output == "audio":
            rate = int(_clamp(_number(params.get("sample_rate"), 24000), 8000, 192000))
            return Output.file_of(media.encode_wav(_audio_seconds(params), rate, seed), "audio/wav")
        if job.output == "video":
            path = os.path.join(ctx.work_dir, "result.mp4")
            media.encode_mp4(path, *_video_shape(params))
            return Output.file_of(path, "video/mp4")
        if job.output == "text":
            return Output.text(_describe(job, inputs))
        if job.output == "json":
            text = params.get("input", params.get("prompt", ""))
            if isinstance(text, list):
                vectors = [media.embedding(str(t), seed) for t in text]
                return Output.json({"embeddings": [{"embedding": v, "dimensions": len(v)} for v in vectors],
                                    "dimensions": 1024})
            return Output.json({"embedding": media.embedding(str(text), seed)})
        raise RuntimeError(f'the synthetic handler cannot produce "{job.output}" output')

    def _preview(self, step, steps, seed):
        """A JPEG that brightens as the steps go by; None when none can be made."""
        if self.previews_broken:
            return None
        try:
            rows = media.gradient(PREVIEW_SIDE, PREVIEW_SIDE, seed + round(step * 255 / steps))
            jpeg = media.rgb_to_jpeg(PREVIEW_SIDE, PREVIEW_SIDE, rows)
        except RuntimeError as error:
            jpeg = None
            self.log(f"previews disabled: {error}")
        if jpeg is None:
            self.previews_broken = True
        return jpeg


def _image_size(task, params, inputs):
    """txt2img takes width/height; edits keep the input's size; upscales multiply it."""
    source = media.png_size(inputs["image"]) if "image" in inputs else None
    width = _number(params.get("width"), source[0] if source else 1024)
    height = _number(params.get("height"), source[1] if source else 1024)
    if task == "img-upscale":
        scale = _number(params.get("scale"), 4)
        width = round((source[0] if source else 256) * scale)
        height = round((source[1] if source else 256) * scale)
    return int(_clamp(width, 1, MAX_IMAGE_SIDE)), int(_clamp(height, 1, MAX_IMAGE_SIDE))


def _audio_seconds(params):
    """txt2music asks for a duration; speech lasts about as long as reading the text."""
    if _number(params.get("duration"), None) is not None:
        return _clamp(params["duration"], 0.1, MAX_SECONDS)
    text = str(params.get("text", params.get("prompt", params.get("caption", ""))))
    words = len(text.split())
    return _clamp(words / 2.5 / _number(params.get("speed"), 1), 1, 60)


def _video_shape(params):
    """(width, height, fps, seconds); H.264 in yuv420p needs even sides."""
    def even(value):
        return int(_clamp(int(value / 2) * 2, 16, MAX_VIDEO_SIDE))
    fps = int(_clamp(_number(params.get("fps"), 24), 1, 120))
    frames = _number(params.get("frames"), None)
    seconds = frames / fps if frames is not None else _number(params.get("duration"), 2)
    return even(_number(params.get("width"), 512)), even(_number(params.get("height"), 288)), fps, \
        _clamp(seconds, 0.1, 60)


def _describe(job, inputs):
    what = [f"{field} of {len(data)} bytes" for field, data in inputs.items()]
    text = f"Synthetic {job.task} output of {job.model}" + (f" for {', '.join(what)}." if what else ".")
    if job.params.get("include_ts"):
        return f"[00:00.000 --> 00:02.000] {text}"
    return text
