// The "synthetic" backend: runs no model, but takes the steps a model would (one
// progress report each, after --step-delay-ms) and produces a file of the kind each
// task's `output` names: PNG of the requested size (with a JPEG preview every step),
// WAV of the requested length, MP4, text or an embedding. Stateless; one call per job.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

import { checkInput, encodeJpeg, encodeMp4, encodePng, encodeWav, gradient, pngSize } from './media.mjs';

// Steps for a model without a "steps" (or "inference_steps") parameter.
const kFallbackSteps = 8;
// Previews are small: a few KiB, far below the server's preview limit.
const kPreviewSide = 64;
// Bounds on synthetic output, so a 4× upscale of a large input stays cheap.
const kMaxImageSide = 4096;
const kMaxVideoSide = 1280;
const kMaxSeconds = 600;

function number(value, fallback) {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function clamp(value, low, high) {
  return Math.min(Math.max(value, low), high);
}

export class SyntheticBackend {
  constructor({ stepDelayMs, log }) {
    this.stepDelayMs = stepDelayMs;
    this.log = log;
    this.previewsBroken = false;
  }

  // job: the claim answer's job. ctx: {signal, workDir, progress(percent, jpeg?),
  // download(url)}. Resolves with {file: {bytes, contentType}} or {result}.
  async run(job, ctx) {
    const params = job.params ?? {};
    const inputs = {};
    for (const [field, url] of Object.entries(job.inputs ?? {})) {
      inputs[field] = await ctx.download(url);
      // Like a real model's loader: a truncated or garbage upload fails here, before any work.
      const path = join(ctx.workDir, `input-${field.replace(/[^A-Za-z0-9_-]/g, '_')}`);
      await writeFile(path, inputs[field]);
      await checkInput(field, path, ctx.signal);
    }
    const seed = number(params.seed, 0);
    const steps = Math.max(1, Math.trunc(number(params.steps, number(params.inference_steps, kFallbackSteps))));
    const image = job.output === 'image' ? imageSize(job.task, params, inputs) : undefined;

    for (let step = 1; step <= steps; step++) {
      const pause = sleep(this.stepDelayMs, undefined, { signal: ctx.signal });
      const preview = image ? this.#preview(step, steps, seed, ctx.signal) : undefined;
      // If the pause is cut short (lease lost), nobody awaits the preview.
      preview?.catch(() => {});
      await pause;
      await ctx.progress((step * 100) / steps, await preview);
    }

    switch (job.output) {
      case 'image': {
        const channels = job.task === 'img-rmbg' ? 4 : 3;
        const bytes = await encodePng(image.width, image.height,
          gradient(image.width, image.height, seed, channels), channels);
        return { file: { bytes, contentType: 'image/png' } };
      }
      case 'audio': {
        const sampleRate = clamp(Math.trunc(number(params.sample_rate, 24000)), 8000, 192000);
        const bytes = encodeWav(audioSeconds(params), sampleRate, seed);
        return { file: { bytes, contentType: 'audio/wav' } };
      }
      case 'video': {
        const path = join(ctx.workDir, 'result.mp4');
        await encodeMp4(path, videoShape(params), ctx.signal);
        return { file: { bytes: await readFile(path), contentType: 'video/mp4' } };
      }
      case 'text':
        return { result: describe(job, inputs) };
      case 'json':
        return { result: { embedding: embedding(String(params.input ?? params.prompt ?? ''), seed) } };
      default:
        throw new Error(`the synthetic backend cannot produce "${job.output}" output`);
    }
  }

  // A JPEG that brightens as the steps go by; undefined if ffmpeg cannot make one
  // (the job still finishes, without previews).
  async #preview(step, steps, seed, signal) {
    if (this.previewsBroken) return undefined;
    const pixels = gradient(kPreviewSide, kPreviewSide, seed + Math.round((step * 255) / steps));
    try {
      return await encodeJpeg(kPreviewSide, kPreviewSide, pixels, signal);
    } catch (error) {
      if (signal.aborted) throw error;
      this.previewsBroken = true;
      this.log(`previews disabled: ${error.message}`);
      return undefined;
    }
  }
}

// txt2img takes width/height; edits keep the input's size unless told otherwise;
// upscales multiply it by "scale".
function imageSize(task, params, inputs) {
  const source = inputs.image ? pngSize(inputs.image) : undefined;
  let width = number(params.width, source?.width ?? 1024);
  let height = number(params.height, source?.height ?? 1024);
  if (task === 'img-upscale') {
    const scale = number(params.scale, 4);
    width = Math.round((source?.width ?? 256) * scale);
    height = Math.round((source?.height ?? 256) * scale);
  }
  return { width: clamp(Math.trunc(width), 1, kMaxImageSide), height: clamp(Math.trunc(height), 1, kMaxImageSide) };
}

// txt2music asks for "duration"; speech lasts about as long as reading the text.
function audioSeconds(params) {
  if (typeof params.duration === 'number') return clamp(params.duration, 0.1, kMaxSeconds);
  const words = String(params.text ?? params.prompt ?? params.caption ?? '').split(/\s+/).filter(Boolean).length;
  return clamp((words / 2.5) / number(params.speed, 1), 1, 60);
}

// H.264 in yuv420p needs even sides.
function videoShape(params) {
  const even = (value) => clamp(Math.trunc(value / 2) * 2, 16, kMaxVideoSide);
  const fps = clamp(Math.trunc(number(params.fps, 24)), 1, 120);
  const frames = number(params.frames, undefined);
  const seconds = frames !== undefined ? frames / fps : number(params.duration, 2);
  return {
    width: even(number(params.width, 512)),
    height: even(number(params.height, 288)),
    fps,
    seconds: clamp(seconds, 0.1, 60),
  };
}

function describe(job, inputs) {
  const what = Object.entries(inputs).map(([field, bytes]) => `${field} of ${bytes.length} bytes`);
  const text = `Synthetic ${job.task} output of ${job.model}` + (what.length ? ` for ${what.join(', ')}.` : '.');
  if (job.params?.include_ts) return `[00:00.000 --> 00:02.000] ${text}`;
  return text;
}

// A unit vector of 1024 floats derived from the text and seed: the same input gives
// the same embedding.
function embedding(text, seed) {
  const values = [];
  let counter = 0;
  while (values.length < 1024) {
    const digest = createHash('sha256').update(`${seed}:${counter++}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < 1024; i += 2) {
      values.push(digest.readUInt16BE(i) / 32768 - 1);
    }
  }
  const norm = Math.hypot(...values) || 1;
  return values.map((v) => Number((v / norm).toFixed(6)));
}
