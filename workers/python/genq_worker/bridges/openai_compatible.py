"""OpenAI-compatible server bridge (vLLM, LocalAI, llama.cpp server, Ollama's /v1,
speaches, ...): --upstream is the API base including /v1. By the job's task:

- speech (txt2audio): POST /audio/speech {model, input, voice, response_format, speed}; the audio file,
- transcription (transcribe, aud2txt, vid2txt, audiofile2txt, videofile2txt):
  POST /audio/transcriptions (multipart file, model, response_format); its text,
- embeddings (txt2embedding): POST /embeddings {model, input}; {"embedding": [...]}.

The model name sent is --upstream-model (one name, or Genq=upstream pairs), else the
genq model's own. Errors ({"error": {"message"}}) become the job's error; these
servers report no progress, so progress jumps from 5 to 100."""

import json

from ..handler import InvalidInput, Output
from .upstream import Upstream, UpstreamError, sniff_type

TRANSCRIPTION_TASKS = {"transcribe", "aud2txt", "vid2txt", "audiofile2txt", "videofile2txt"}
SPEECH_FORMATS = {"mp3": "audio/mpeg", "wav": "audio/wav", "flac": "audio/flac", "opus": "audio/ogg",
                  "aac": "audio/aac", "pcm": "audio/L16"}


def check(options):
    return None


def make(options, log):
    return OpenAIBridge(options.upstream, options.upstream_key, parse_model_map(options.upstream_model),
                        options.upstream_timeout_s, log)


def parse_model_map(text):
    """"name" -> {"*": name}; "A=x,B=y" -> {"A": "x", "B": "y"}; None -> {}."""
    if not text:
        return {}
    if "=" not in text:
        return {"*": text}
    pairs = {}
    for item in text.split(","):
        genq, _, upstream = item.partition("=")
        if genq.strip() and upstream.strip():
            pairs[genq.strip()] = upstream.strip()
    return pairs


class OpenAIBridge:
    def __init__(self, base, api_key, models, timeout_s, log):
        self.upstream = Upstream(base, timeout_s=timeout_s, api_key=api_key, name="OpenAI-compatible server")
        self.models = models
        self.log = log

    def model_for(self, job):
        return self.models.get(job.model, self.models.get("*", job.model))

    def __call__(self, job, ctx):
        ctx.progress(5)
        if job.output == "audio":
            return self._speech(job)
        if job.task in TRANSCRIPTION_TASKS:
            return self._transcription(job, ctx)
        if job.task == "txt2embedding":
            return self._embedding(job)
        raise RuntimeError(f"the OpenAI-compatible bridge runs speech, transcription and embeddings, not {job.task}")

    def _speech(self, job):
        text = job.params.get("text", job.params.get("input", job.params.get("prompt")))
        if not text:
            raise InvalidInput("the job has no text to speak")
        fmt = str(job.params.get("format") or "wav").lower()
        body = {"model": self.model_for(job), "input": text, "response_format": fmt if fmt in SPEECH_FORMATS else "wav",
                "voice": job.params.get("voice") or "alloy"}
        if job.params.get("speed") is not None:
            body["speed"] = job.params["speed"]
        _, headers, data = self.upstream.request("POST", "/audio/speech", json.dumps(body).encode(),
                                                 {"Content-Type": "application/json"})
        content_type = headers.get("content-type", "").split(";")[0].strip()
        if not content_type.startswith("audio/"):
            content_type = sniff_type(data, SPEECH_FORMATS.get(body["response_format"], "audio/wav"))
        if not data:
            raise UpstreamError(200, "the OpenAI-compatible server answered no audio")
        return Output.file_of(data, content_type)

    def _transcription(self, job, ctx):
        field = next((f for f in ("audio", "video", "file") if f in job.inputs), None)
        if field is None:
            raise InvalidInput("the job has no audio or video input to transcribe")
        data = ctx.input(field)
        kind = sniff_type(data)
        extension = {"audio/wav": "wav", "audio/mpeg": "mp3", "audio/ogg": "ogg", "audio/flac": "flac",
                     "video/mp4": "mp4", "video/webm": "webm"}.get(kind, "bin")
        timestamps = bool(job.params.get("include_ts"))
        fields = {"model": self.model_for(job), "response_format": "verbose_json" if timestamps else "json"}
        if job.params.get("language"):
            fields["language"] = str(job.params["language"])
        _, _, body = self.upstream.multipart("/audio/transcriptions", fields,
                                             {"file": (f"{field}.{extension}", data, kind)})
        try:
            answer = json.loads(body)
        except ValueError:
            return body.decode("utf-8", "replace").strip()
        if timestamps and isinstance(answer.get("segments"), list):
            from .whisper_cpp import _segment_line
            return "\n".join(_segment_line(s) for s in answer["segments"])
        return str(answer.get("text", "")).strip()

    def _embedding(self, job):
        """One text: {"embedding": [...]}; a list (a batch): {"embeddings": [{"embedding",
        "dimensions"}, ...], "dimensions"}, one per text in order (docs/api.md)."""
        text = job.params.get("input", job.params.get("prompt", ""))
        answer = self.upstream.json("POST", "/embeddings", {"model": self.model_for(job), "input": text})
        try:
            items = sorted(answer["data"], key=lambda item: item.get("index", 0))
            vectors = [item["embedding"] for item in items]
        except (KeyError, TypeError, AttributeError):
            vectors = []
        if not vectors or (isinstance(text, list) and len(vectors) != len(text)):
            raise UpstreamError(200, f"the OpenAI-compatible server answered no embedding: {json.dumps(answer)[:200]}")
        if not isinstance(text, list):
            return {"embedding": vectors[0]}
        return {"embeddings": [{"embedding": v, "dimensions": len(v)} for v in vectors],
                "dimensions": len(vectors[0])}
