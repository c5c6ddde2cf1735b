#!/usr/bin/env python3
"""A genq worker that runs a diffusers text-to-image pipeline on the GPU.

    pip install genq-worker diffusers transformers accelerate torch   # or: PYTHONPATH=workers/python
    python3 diffusers_worker.py --server http://GENQ:8080 --token-file ./worker-token \
        --models Flux1schnell [--concurrency 1]

Environment: DIFFUSERS_MODEL (default black-forest-labs/FLUX.1-schnell; any text-to-
image pipeline works, e.g. stabilityai/sdxl-turbo), DIFFUSERS_DEVICE (default cuda),
DIFFUSERS_DTYPE (bfloat16 | float16 | float32, default bfloat16). The model is loaded
once, on the first job, from the Hugging Face cache (HF_HOME) or downloaded there.

Every step reports progress and, every few steps, a preview decoded from the
latents; a cancelled job stops the pipeline at the next step. One GPU runs one
pipeline at a time, so jobs are serialised by a lock whatever --concurrency says
(a second slot still lets the next job download its inputs meanwhile).
"""

import inspect
import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), ".."))

import genq_worker  # noqa: E402

MODEL = os.environ.get("DIFFUSERS_MODEL", "black-forest-labs/FLUX.1-schnell")
DEVICE = os.environ.get("DIFFUSERS_DEVICE", "cuda")
DTYPE = os.environ.get("DIFFUSERS_DTYPE", "bfloat16")
# A preview costs a VAE decode: every this many steps (and never on the last).
PREVIEW_EVERY = 4

_pipeline = None
_gpu = threading.Lock()


def pipeline():
    """Loads the pipeline once (imports torch and diffusers only when a job needs them)."""
    global _pipeline
    if _pipeline is None:
        import torch
        from diffusers import AutoPipelineForText2Image
        _pipeline = AutoPipelineForText2Image.from_pretrained(MODEL, torch_dtype=getattr(torch, DTYPE))
        _pipeline.to(DEVICE)
        _pipeline.set_progress_bar_config(disable=True)
    return _pipeline


def preview_of(pipe, latents, width, height):
    """A small PIL image decoded from the current latents, or None for pipelines whose
    latents are packed in a way this does not know."""
    import torch
    try:
        with torch.no_grad():
            if hasattr(pipe, "_unpack_latents"):  # Flux packs latents into patches
                latents = pipe._unpack_latents(latents, height, width, pipe.vae_scale_factor)
            scaling = getattr(pipe.vae.config, "scaling_factor", 1.0)
            shift = getattr(pipe.vae.config, "shift_factor", None) or 0.0
            image = pipe.vae.decode(latents / scaling + shift, return_dict=False)[0]
            return pipe.image_processor.postprocess(image, output_type="pil")[0]
    except Exception:  # a preview is a nicety; never fail the job for it
        return None


def generate(job, ctx):
    import torch
    params = job.params
    width, height = int(params.get("width", 1024)), int(params.get("height", 1024))
    steps = int(params.get("steps", 4))
    with _gpu:
        ctx.check()
        pipe = pipeline()

        def on_step_end(pipe, step, timestep, callback_kwargs):
            done = step + 1
            preview = None
            if done % PREVIEW_EVERY == 0 and done < steps:
                preview = preview_of(pipe, callback_kwargs["latents"], width, height)
            # Raises genq_worker.Cancelled when the job was cancelled: the pipeline stops.
            ctx.progress(100 * done / steps * 0.98, preview)
            return callback_kwargs

        arguments = dict(
            prompt=params["prompt"], width=width, height=height, num_inference_steps=steps,
            generator=torch.Generator(device=DEVICE).manual_seed(int(params.get("seed", 0))),
            callback_on_step_end=on_step_end, callback_on_step_end_tensor_inputs=["latents"])
        if "guidance" in params:
            arguments["guidance_scale"] = float(params["guidance"])
        if params.get("negative_prompt") and "negative_prompt" in inspect.signature(pipe.__call__).parameters:
            arguments["negative_prompt"] = params["negative_prompt"]
        try:
            image = pipe(**arguments).images[0]
        except torch.cuda.OutOfMemoryError as error:
            torch.cuda.empty_cache()
            raise genq_worker.Retryable(f"CUDA out of memory: {error}") from None
    return image  # a PIL image: uploaded as a PNG


if __name__ == "__main__":
    sys.exit(genq_worker.run(generate))
