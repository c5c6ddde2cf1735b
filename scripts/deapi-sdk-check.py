#!/usr/bin/env python3
"""Acceptance check: deAPI's official Python SDK (deapi-python-sdk) against a
running genq, one line per public call (sync, and a few async ones).

Not part of `make test`: the SDK is not vendored. With the SDK's source and a
Python that has pydantic 2 and httpx:

    genq serve --webhook-allow-http --webhook-allow-private &   # URL inputs from 127.0.0.1
    genq worker --server http://127.0.0.1:8080 --token … --backend synthetic &
    DEAPI_API_KEY=… DEAPI_BASE_URL=http://127.0.0.1:8080 PYTHONPATH=/path/to/sdk/src \
        python3 scripts/deapi-sdk-check.py [--raw-status]

--raw-status reads request-status without the SDK's JobResult, to check the
submit calls alone. Inputs are made here (a PNG, a WAV, an MP4 by ffmpeg) and
served for the URL calls from a local HTTP server.
"""
import asyncio, io, os, struct, sys, traceback, zlib, http.server, threading
from deapi import DeapiClient, AsyncDeapiClient

def png(w=32, h=32):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    rows = b"".join(b"\x00" + b"".join(bytes([x * 8 % 256, y * 8 % 256, 128]) for x in range(w)) for y in range(h))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")

def wav(n=800):
    data = b"\x00\x00" * n
    return b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16) + b"data" + struct.pack("<I", len(data)) + data

def mp4():
    # A real clip: workers decode their inputs before use, so MP4-like bytes would fail.
    import subprocess, tempfile
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "clip.mp4")
        subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "testsrc=size=64x64:rate=8", "-t", "1", "-pix_fmt", "yuv420p", path], check=True)
        with open(path, "rb") as f:
            return f.read()

MP4 = mp4()
PNG, WAV = png(), wav()

class Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = WAV if self.path.endswith(".wav") else MP4
        self.send_response(200); self.send_header("Content-Type", "audio/wav" if self.path.endswith(".wav") else "video/mp4")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass

srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Files)
threading.Thread(target=srv.serve_forever, daemon=True).start()
FILES = f"http://127.0.0.1:{srv.server_address[1]}"

results = []
def check(name, fn):
    try:
        out = fn()
        results.append((name, "ok", repr(out)[:110]))
    except Exception as e:
        results.append((name, "FAIL", f"{type(e).__name__}: {str(e)[:300]}"))

import httpx, time
from types import SimpleNamespace
RAW_STATUS = "--raw-status" in sys.argv

def waited(job):
    if not RAW_STATUS:  # the SDK's own polling (JobResult), the real acceptance check
        r = job.wait(poll_interval=0.5, max_wait=60)
        assert r.status.value == "done", r
        return r
    # --raw-status: request-status read without the SDK's JobResult, to check the
    # submit calls alone.
    for _ in range(200):
        d = httpx.get(f"{os.environ['DEAPI_BASE_URL']}/api/v1/client/request-status/{job.request_id}",
                      headers={"Authorization": f"Bearer {os.environ['DEAPI_API_KEY']}"}).json()["data"]
        if d["status"] in ("done", "error"):
            assert d["status"] == "done", d
            return SimpleNamespace(**d)
        time.sleep(0.1)
    raise TimeoutError(job.request_id)

c = DeapiClient(api_key=os.environ["DEAPI_API_KEY"], base_url=os.environ["DEAPI_BASE_URL"], max_retries=0)
# images
check("images.generate(loras)", lambda: waited(c.images.generate(prompt="fox", model="Flux1schnell", width=256, height=256, seed=1, steps=2, loras=[{"name": "flux-anime", "weight": 0.5}])).result_url[:40])
check("images.generate_price", lambda: c.images.generate_price(prompt="fox", model="Flux1schnell", width=512, height=512, seed=-1))
check("images.transform(images=[..])", lambda: waited(c.images.transform(prompt="merge", model="QwenImageEdit_Plus_NF4", steps=2, seed=1, images=[PNG, PNG])).status)
check("images.transform(image, loras)", lambda: waited(c.images.transform(prompt="paint", model="Flux_2_Klein_4B_BF16", steps=4, seed=1, image=PNG, loras=[{"name": "klein-watercolor", "weight": 1.0}])).status)
check("images.transform_price", lambda: c.images.transform_price(prompt="x", model="QwenImageEdit_Plus_NF4", steps=20, seed=-1))
check("images.upscale_price(width/height)", lambda: c.images.upscale_price(model="RealESRGAN_x4", width=1000, height=800))
check("images.remove_background_price(image)", lambda: c.images.remove_background_price(model="Ben2", image=PNG))
# audio
check("audio.synthesize(Kokoro)", lambda: waited(c.audio.synthesize(text="hello", model="Kokoro", lang="en-us", format="wav", speed=1.0, sample_rate=24000.0, voice="af_sky")).status)
check("audio.synthesize(voice_clone)", lambda: waited(c.audio.synthesize(text="hello", model="Qwen3_TTS_1_7B", lang="en", format="wav", speed=1.0, sample_rate=24000, mode="voice_clone", ref_audio=WAV, ref_text="hi")).status)
check("audio.synthesize_price(count_text)", lambda: c.audio.synthesize_price(model="Kokoro", lang="en-us", format="mp3", speed=1.0, sample_rate=24000, count_text=1000))
check("audio.compose_price", lambda: c.audio.compose_price(model="AceStep_1_5_Turbo", duration=30, inference_steps=8))
# video
check("video.animate(first/last frame)", lambda: waited(c.video.animate(prompt="run", model="Ltxv_13B_0_9_8_Distilled_FP8", first_frame_image=PNG, last_frame_image=PNG, seed=1, width=256, height=256, frames=30, fps=30)).status)
check("video.animate_price", lambda: c.video.animate_price(model="Ltxv_13B_0_9_8_Distilled_FP8", width=768, height=512, frames=90, fps=30))
check("video.generate_from_audio", lambda: waited(c.video.generate_from_audio(prompt="dance", audio=WAV, model="Ltx2_19B_Dist_FP8", width=256, height=256, seed=1, frames=25, fps=24, steps=2)).status)
check("video.generate_from_audio_price", lambda: c.video.generate_from_audio_price(model="Ltx2_19B_Dist_FP8", width=768, height=512, frames=96, fps=24))
check("video.replace", lambda: waited(c.video.replace(video=MP4, ref_image=PNG, model="Wan2_2_Animate_Replace", width=256, height=256, steps=2, seed=1)).status)
check("video.replace_price(duration)", lambda: c.video.replace_price(model="Wan2_2_Animate_Replace", duration=10, width=512, height=512))
check("video.replace_price(video)", lambda: c.video.replace_price(model="Wan2_2_Animate_Replace", video=MP4))
check("video.upscale_price(width/height)", lambda: c.video.upscale_price(model="RealESRGAN_Vid_x4", width=1280, height=720))
check("video.remove_background_price", lambda: c.video.remove_background_price(model="RMBG-1.4", width=1280, height=720))
# transcription
T = "WhisperLargeV3"
check("transcription.create(source_file)", lambda: waited(c.transcription.create(include_ts=True, model=T, source_file=WAV, return_result_in_response=True)).result[:40])
check("transcription.create(source_url)", lambda: waited(c.transcription.create(include_ts=False, model=T, source_url=FILES + "/talk.mp4")).result[:40])
check("transcription.create_price", lambda: c.transcription.create_price(include_ts=True, model=T, source_url=FILES + "/talk.mp4", duration_seconds=60))
check("transcription.from_video_url", lambda: waited(c.transcription.from_video_url(video_url=FILES + "/v.mp4", include_ts=False, model=T)).result[:40])
check("transcription.from_video_url_price", lambda: c.transcription.from_video_url_price(include_ts=False, model=T, video_url=FILES + "/v.mp4", duration_seconds=30))
check("transcription.from_audio_url", lambda: waited(c.transcription.from_audio_url(audio_url=FILES + "/a.wav", include_ts=False, model=T)).result[:40])
check("transcription.from_audio_url_price", lambda: c.transcription.from_audio_url_price(include_ts=False, model=T, duration_seconds=30))
check("transcription.from_audio_file", lambda: waited(c.transcription.from_audio_file(audio=WAV, include_ts=False, model=T)).result[:40])
check("transcription.from_audio_file_price", lambda: c.transcription.from_audio_file_price(include_ts=False, model=T, audio=WAV))
check("transcription.from_video_file", lambda: waited(c.transcription.from_video_file(video=MP4, include_ts=True, model=T)).result[:40])
check("transcription.from_video_file_price", lambda: c.transcription.from_video_file_price(include_ts=True, model=T, duration_seconds=12))
# embeddings
check("embeddings.create(list)", lambda: c.embeddings.create(input=["a", "b"], model="Bge_M3_FP16").request_id)
check("embeddings.create_price(list)", lambda: c.embeddings.create_price(input=["a", "b"], model="Bge_M3_FP16"))
# ocr
check("ocr.extract_price(width/height)", lambda: c.ocr.extract_price(model="Nanonets_Ocr_S_F16", width=800, height=600))
# the rest of the submit calls
check("images.upscale", lambda: waited(c.images.upscale(image=PNG, model="RealESRGAN_x4")).status)
check("images.remove_background", lambda: waited(c.images.remove_background(image=PNG, model="Ben2")).status)
check("audio.compose", lambda: waited(c.audio.compose(caption="jazz", model="AceStep_1_5_Turbo", duration=5, inference_steps=2, guidance_scale=1.0, seed=1, format="wav")).status)
check("video.generate", lambda: waited(c.video.generate(prompt="sea", model="Ltxv_13B_0_9_8_Distilled_FP8", width=256, height=256, steps=1, seed=1, frames=30, fps=30)).status)
check("video.generate_price", lambda: c.video.generate_price(prompt="sea", model="Ltxv_13B_0_9_8_Distilled_FP8", width=256, height=256, steps=1, seed=1, frames=30, fps=30))
check("video.upscale", lambda: waited(c.video.upscale(video=MP4, model="RealESRGAN_Vid_x4")).status)
check("video.remove_background", lambda: waited(c.video.remove_background(video=MP4, model="RMBG-1.4")).status)
check("ocr.extract", lambda: waited(c.ocr.extract(image=PNG, model="Nanonets_Ocr_S_F16", language="en", format="text", return_result_in_response=True)).result[:30])
check("embeddings.create(str)", lambda: waited(c.embeddings.create(input="hello", model="Bge_M3_FP16")).status)
check("balance()", lambda: c.balance())
# prompts
check("prompts.enhance_image", lambda: c.prompts.enhance_image(prompt="a red fox"))
check("prompts.enhance_image_price", lambda: c.prompts.enhance_image_price(prompt="a red fox"))
check("prompts.enhance_video", lambda: c.prompts.enhance_video(prompt="waves", image=PNG))
check("prompts.enhance_video_price", lambda: c.prompts.enhance_video_price(prompt="waves"))
check("prompts.enhance_speech", lambda: c.prompts.enhance_speech(prompt="hello there", lang_code="en"))
check("prompts.enhance_speech_price", lambda: c.prompts.enhance_speech_price(prompt="hello there"))
check("prompts.enhance_image2image", lambda: c.prompts.enhance_image2image(prompt="winter", image=PNG))
check("prompts.enhance_image2image_price", lambda: c.prompts.enhance_image2image_price(prompt="winter"))
check("prompts.samples", lambda: c.prompts.samples(type="image", topic="cats"))
check("prompts.samples_price", lambda: c.prompts.samples_price(type="speech"))
# job polling
def job_calls():
    job = c.images.generate(prompt="fox", model="Flux1schnell", width=256, height=256, seed=1, steps=1)
    first = job.status()  # at once: the job is still pending or running
    final = job.wait(poll_interval=0.5, max_wait=60)
    return first.status.value, final.status.value, job.is_done(), job.is_error()
check("Job.status/wait/is_done/is_error", job_calls)
# models
check("models.list(video2text)", lambda: [m.slug for m in c.models.list(inference_types=["video2text", "audio_file2text"]).data])
check("models.list(loras, languages)", lambda: [(m.slug, len(m.loras or []), len(m.languages or [])) for m in c.models.list(per_page=50).data if m.loras or m.languages])

async def async_checks():
    ac = AsyncDeapiClient(api_key=os.environ["DEAPI_API_KEY"], base_url=os.environ["DEAPI_BASE_URL"], max_retries=0)
    out = []
    for name, coro in [("async prompts.enhance_image", ac.prompts.enhance_image(prompt="a red fox")),
                       ("async transcription.create(source_url)", ac.transcription.create(include_ts=False, model=T, source_url=FILES + "/x.mp4")),
                       ("async video.replace_price", ac.video.replace_price(model="Wan2_2_Animate_Replace", duration=5))]:
        try:
            r = await coro
            out.append((name, "ok", repr(r)[:100]))
        except Exception as e:
            out.append((name, "FAIL", f"{type(e).__name__}: {e}"[:300]))
    return out
results.extend(asyncio.run(async_checks()))

for name, status, detail in results:
    print(f"{status:4} {name:45} {detail}")
print(sum(1 for r in results if r[1] == "ok"), "ok of", len(results))
