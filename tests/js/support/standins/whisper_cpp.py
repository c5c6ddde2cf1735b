"""A stand-in whisper.cpp server (examples/server, whisper-server) for the bridge
tests: POST /inference takes multipart "file" (16 kHz WAV; no --convert), with
"response_format" json | text | verbose_json and "language"; it answers
{"text": ...} (verbose_json adds "segments" with start/end seconds), or
{"error": "..."} for audio it cannot read or a language it does not know."""

import struct

import standin

LANGUAGES = {"en", "de", "fr", "es", "auto"}


class WhisperServer:
    def route(self, method, path):
        return {("POST", "/inference"): self.inference}.get((method, path))

    def inference(self, handler, query, body):
        fields = standin.multipart(handler, body)
        if "file" not in fields:
            return handler.answer(400, {"error": "no 'file' field in the request"})
        data = fields["file"][1]
        if data[:4] != b"RIFF" or data[8:12] != b"WAVE" or struct.unpack("<I", data[24:28])[0] != 16000:
            return handler.answer(400, {"error": "failed to read WAV file"})
        language = (fields.get("language") or (None, b"en"))[1].decode()
        if language not in LANGUAGES:
            return handler.answer(500, {"error": f"unknown language '{language}'"})
        seconds = (len(data) - 44) / 32000
        text = f" stand-in transcript of {seconds:.2f} s of audio"
        response_format = (fields.get("response_format") or (None, b"json"))[1].decode()
        if response_format == "text":
            return handler.answer(200, text.encode(), "text/plain")
        answer = {"text": text}
        if response_format == "verbose_json":
            answer.update(task="transcribe", language=language, duration=seconds,
                          segments=[{"id": 0, "text": text, "start": 0.0, "end": seconds}])
        handler.answer(200, answer)


if __name__ == "__main__":
    standin.serve(WhisperServer())
