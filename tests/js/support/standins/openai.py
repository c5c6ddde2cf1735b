"""A stand-in OpenAI-compatible server (as vLLM, LocalAI, llama.cpp server expose)
for the bridge tests: POST /v1/audio/speech {model, input, voice, response_format}
answers the audio bytes; POST /v1/audio/transcriptions (multipart file, model,
response_format) answers {"text"}; POST /v1/embeddings {model, input} answers
{"object": "list", "data": [{"object": "embedding", "index", "embedding"}], ...}.
Errors in OpenAI's shape: {"error": {"message", "type", "param", "code"}}; it knows
the voices in VOICES and the models in MODELS only."""

import hashlib
import json

import standin

VOICES = {"alloy", "nova"}
MODELS = {"tts-standin", "whisper-standin", "embed-standin"}


def error(handler, status, message, param=None):
    handler.answer(status, {"error": {"message": message, "type": "invalid_request_error", "param": param,
                                      "code": None}})


def vector(text):
    digest = hashlib.sha256(text.encode()).digest()
    return [round(b / 255 - 0.5, 6) for b in digest[:8]]


class OpenAIServer:
    def route(self, method, path):
        return {("POST", "/v1/audio/speech"): self.speech, ("POST", "/v1/audio/transcriptions"): self.transcribe,
                ("POST", "/v1/embeddings"): self.embeddings}.get((method, path))

    def speech(self, handler, query, body):
        request = json.loads(body)
        if request.get("model") not in MODELS:
            return error(handler, 404, f"The model `{request.get('model')}` does not exist.", "model")
        if request.get("voice") not in VOICES:
            return error(handler, 400, f"Voice {request.get('voice')} not found", "voice")
        handler.answer(200, self.made(standin.wav(1600 + len(request.get("input", "")), 16000, 7)), "audio/wav")

    def transcribe(self, handler, query, body):
        fields = standin.multipart(handler, body)
        model = (fields.get("model") or (None, b""))[1].decode()
        if model not in MODELS:
            return error(handler, 404, f"The model `{model}` does not exist.", "model")
        handler.answer(200, {"text": f"stand-in heard {len(fields['file'][1])} bytes"})

    def embeddings(self, handler, query, body):
        request = json.loads(body)
        if request.get("model") not in MODELS:
            return error(handler, 404, f"The model `{request.get('model')}` does not exist.", "model")
        texts = request["input"] if isinstance(request["input"], list) else [request["input"]]
        handler.answer(200, {"object": "list", "model": request["model"],
                             "data": [{"object": "embedding", "index": i, "embedding": vector(t)}
                                      for i, t in enumerate(texts)],
                             "usage": {"prompt_tokens": 1, "total_tokens": 1}})


if __name__ == "__main__":
    standin.serve(OpenAIServer())
