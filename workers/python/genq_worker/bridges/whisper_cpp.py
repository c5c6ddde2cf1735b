"""whisper.cpp server bridge (examples/server, `whisper-server`): transcription jobs
POST the audio to /inference as multipart (file, response_format, temperature,
language) and the answer's text is the result. whisper-server reads 16 kHz WAV only
unless started with --convert (it then runs ffmpeg); this bridge converts every other
input to 16 kHz mono WAV with ffmpeg itself when ffmpeg is here, so either works. The server
reports no progress and has no cancel: a cancelled job's answer is dropped."""

import json

from .. import media
from ..handler import InvalidInput
from .upstream import Upstream, UpstreamError


def check(options):
    return None


def make(options, log):
    return WhisperCppBridge(options.upstream, options.upstream_timeout_s, log)


class WhisperCppBridge:
    def __init__(self, base, timeout_s, log):
        self.upstream = Upstream(base, timeout_s=timeout_s, name="whisper.cpp server")
        self.log = log

    def __call__(self, job, ctx):
        field = next((f for f in ("audio", "video", "file") if f in job.inputs), None)
        if field is None:
            raise InvalidInput("the job has no audio or video input to transcribe")
        data = ctx.input(field)
        if not _is_16k_mono_wav(data) and media.have_ffmpeg():
            try:
                data = media.ffmpeg(["-i", "pipe:0", "-ar", "16000", "-ac", "1", "-c:a", "pcm_s16le",
                                     "-map_metadata", "-1", "-fflags", "+bitexact", "-f", "wav", "pipe:1"], stdin=data)
            except RuntimeError as error:
                raise InvalidInput(f"the {field} input does not decode: {error}") from None
        ctx.progress(5)
        timestamps = bool(job.params.get("include_ts"))
        fields = {"response_format": "verbose_json" if timestamps else "json", "temperature": "0.0"}
        if job.params.get("language"):
            fields["language"] = str(job.params["language"])
        _, _, body = self.upstream.multipart("/inference", fields, {"file": ("audio.wav", data, "audio/wav")})
        ctx.check()
        try:
            answer = json.loads(body)
        except ValueError:
            return body.decode("utf-8", "replace").strip()
        if isinstance(answer, dict) and "error" in answer:
            # whisper-server answers some failures with 200 and {"error": "..."}.
            raise UpstreamError(200, f"whisper.cpp server: {answer['error']}")
        if timestamps and isinstance(answer.get("segments"), list):
            return "\n".join(_segment_line(s) for s in answer["segments"])
        return str(answer.get("text", "")).strip()


def _is_16k_mono_wav(data):
    """whisper-server reads 16 kHz WAV; anything else is converted first."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE" or data[12:16] != b"fmt ":
        return False
    channels = int.from_bytes(data[22:24], "little")
    rate = int.from_bytes(data[24:28], "little")
    return channels == 1 and rate == 16000


def _clock(seconds):
    minutes, rest = divmod(float(seconds), 60)
    return f"{int(minutes):02d}:{rest:06.3f}"


def _segment_line(segment):
    return f"[{_clock(segment.get('start', 0))} --> {_clock(segment.get('end', 0))}] {str(segment.get('text', '')).strip()}"
