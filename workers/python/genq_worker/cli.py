"""The command line: `python3 -m genq_worker --server URL --token-file F [...]`.

Flags have the names and GENQ_* environment variables of `genq worker`, so the same
service files and test harness drive either. Exit codes: 0 stopped cleanly, 1 the
server refused the worker (bad token, no models), 2 bad command line.
"""

import argparse
import datetime
import importlib
import os
import signal
import socket
import sys

from . import bridges
from .client import ProtocolClient, ProtocolError
from .synthetic import SyntheticHandler
from .worker import Worker

DESCRIPTION = """\
A genq worker: claims jobs from a genq server and runs them with --synthetic (fake
but well-formed outputs for every task), a --handler you wrote, or a --bridge to an
inference server you already run (ComfyUI, AUTOMATIC1111/Forge/SD.Next, whisper.cpp,
any OpenAI-compatible server). Every flag also reads the GENQ_* variable shown."""

EPILOG = """\
examples:
  python3 -m genq_worker --server http://127.0.0.1:8080 --token-file ./worker-token --synthetic
  python3 -m genq_worker --server URL --token-file F --handler my_model:generate --models MyModel
  python3 -m genq_worker --server URL --token-file F --bridge comfyui \\
      --upstream http://127.0.0.1:8188 --workflow workflow_api.json --models ComfySDXL
  python3 -m genq_worker --server URL --token-file F --bridge a1111 \\
      --upstream http://127.0.0.1:7860 --models A1111SD15
  python3 -m genq_worker --server URL --token-file F --bridge whisper-cpp \\
      --upstream http://127.0.0.1:8081 --models WhisperCppBase
  python3 -m genq_worker --server URL --token-file F --bridge openai \\
      --upstream http://127.0.0.1:8000/v1 --upstream-model OpenAIEmbed=bge-m3 --models OpenAIEmbed

The token: --token-file (its first line), or GENQ_WORKER_TOKEN, or --token (which
every user of the machine sees in ps). Bridges: docs/bridges.md."""


def _env(name, fallback=None):
    value = os.environ.get(name)
    return value if value not in (None, "") else fallback


def _positive(low, high):
    def convert(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is outside {low}..{high}")
        return value
    return convert


def build_parser():
    p = argparse.ArgumentParser(prog="python3 -m genq_worker", description=DESCRIPTION, epilog=EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    g = p.add_argument_group("server")
    g.add_argument("--server", default=_env("GENQ_SERVER"), metavar="URL",
                   help="genq server, e.g. http://127.0.0.1:8080 (GENQ_SERVER)")
    g.add_argument("--token-file", default=_env("GENQ_WORKER_TOKEN_FILE"), metavar="FILE",
                   help="file whose first line is the worker token (GENQ_WORKER_TOKEN_FILE)")
    g.add_argument("--token", default=_env("GENQ_WORKER_TOKEN"), metavar="TOKEN",
                   help="worker token from `genq admin create-worker-token`; prefer --token-file or "
                        "GENQ_WORKER_TOKEN, a flag shows in ps")
    g.add_argument("--models", default=_env("GENQ_WORKER_MODELS", ""), metavar="A,B",
                   help="catalog models to serve; default every model the token allows (GENQ_WORKER_MODELS)")
    g.add_argument("--concurrency", type=_positive(1, 256), default=_env("GENQ_CONCURRENCY", "1"), metavar="N",
                   help="jobs run at once, 1-256; default 1 (GENQ_CONCURRENCY)")
    g.add_argument("--worker-id", default=_env("GENQ_WORKER_ID"), metavar="ID",
                   help="name shown in logs, job status and the admin worker list; default HOST-PID")
    g.add_argument("--wait-ms", type=_positive(0, 60000), default=_env("GENQ_WAIT_MS", "25000"), metavar="N",
                   help="long-poll wait per claim, 0-60000; default 25000 (GENQ_WAIT_MS)")
    g.add_argument("--grace-ms", type=_positive(0, 3600000), default=_env("GENQ_GRACE_MS", "20000"), metavar="N",
                   help="on SIGTERM, how long running jobs may take before they are handed back; "
                        "default 20000 (GENQ_GRACE_MS)")

    g = p.add_argument_group("what runs the jobs (one of)")
    g.add_argument("--synthetic", action="store_true",
                   help="serve every model with the built-in synthetic handler: a PNG of the requested "
                        "size, a WAV, an MP4 (ffmpeg), a text, an embedding")
    g.add_argument("--backend", choices=["synthetic"], default=_env("GENQ_BACKEND"),
                   help="`--backend synthetic` is --synthetic, as `genq worker` spells it (GENQ_BACKEND)")
    g.add_argument("--handler", default=_env("GENQ_HANDLER"), metavar="MODULE:FUNCTION",
                   help="your handler(job, ctx) function, imported from MODULE (GENQ_HANDLER)")
    g.add_argument("--bridge", choices=sorted(bridges.NAMES), default=_env("GENQ_BRIDGE"),
                   help="forward jobs to an inference server (GENQ_BRIDGE); needs --upstream")
    g.add_argument("--step-delay-ms", type=_positive(0, 600000), default=_env("GENQ_STEP_DELAY_MS", "200"),
                   metavar="N", help="synthetic: delay per step; default 200 (GENQ_STEP_DELAY_MS)")

    g = p.add_argument_group("bridges (docs/bridges.md)")
    g.add_argument("--upstream", default=_env("GENQ_UPSTREAM"), metavar="URL",
                   help="the inference server: ComfyUI http://127.0.0.1:8188, A1111 http://127.0.0.1:7860, "
                        "whisper.cpp http://127.0.0.1:8080, OpenAI-compatible http://HOST:PORT/v1 (GENQ_UPSTREAM)")
    g.add_argument("--upstream-key-file", default=_env("GENQ_UPSTREAM_KEY_FILE"), metavar="FILE",
                   help="openai: file holding the server's API key, sent as a bearer token; or GENQ_UPSTREAM_KEY")
    g.add_argument("--workflow", default=_env("GENQ_WORKFLOW"), metavar="FILE",
                   help="comfyui: the workflow in API format (Export (API)), with {prompt}, {seed}, ... "
                        "placeholders; without any, known nodes are filled in (GENQ_WORKFLOW)")
    g.add_argument("--upstream-model", default=_env("GENQ_UPSTREAM_MODEL"), metavar="NAME|MODEL=NAME,...",
                   help="openai: the model name the server knows, for every genq model or per model "
                        "(Genq=upstream,...), default the genq model's own name; a1111: the checkpoint to "
                        "load (sd_model_checkpoint) (GENQ_UPSTREAM_MODEL)")
    g.add_argument("--poll-ms", type=_positive(50, 60000), default=_env("GENQ_POLL_MS", "500"), metavar="N",
                   help="a1111: how often progress and the live preview are read; default 500")
    g.add_argument("--upstream-timeout-s", type=_positive(1, 86400), default=_env("GENQ_UPSTREAM_TIMEOUT_S", "600"),
                   metavar="N", help="longest a job may take on the inference server; default 600")
    return p


def parse(argv):
    parser = build_parser()
    options = parser.parse_args(argv)
    if options.server is None:
        parser.error("--server is required (or GENQ_SERVER)")
    if not options.server.startswith(("http://", "https://")):
        parser.error(f"--server: not an http(s) URL: {options.server}")
    options.server = options.server.rstrip("/")
    if options.token_file:
        try:
            with open(options.token_file, encoding="utf-8") as handle:
                first = handle.readline().strip()
        except OSError as error:
            parser.error(f"--token-file: {error}")
        if not first:
            parser.error(f"--token-file {options.token_file} is empty")
        options.token = first
    if not options.token:
        parser.error("a worker token is required: --token-file FILE, GENQ_WORKER_TOKEN or --token")
    options.synthetic = options.synthetic or options.backend == "synthetic"
    chosen = [name for name, on in (("--synthetic", options.synthetic), ("--handler", options.handler),
                                    ("--bridge", options.bridge)) if on]
    if len(chosen) != 1:
        parser.error("say what runs the jobs: exactly one of --synthetic, --handler MODULE:FUNCTION, --bridge NAME"
                     + (f" (got {', '.join(chosen)})" if chosen else ""))
    options.models = [m.strip() for m in options.models.split(",") if m.strip()]
    options.worker_id = (options.worker_id or f"{socket.gethostname()}-{os.getpid()}")[:128]
    options.upstream_key = _env("GENQ_UPSTREAM_KEY")
    if options.upstream_key_file:
        with open(options.upstream_key_file, encoding="utf-8") as handle:
            options.upstream_key = handle.readline().strip()
    if options.bridge:
        problem = bridges.check(options)
        if problem:
            parser.error(problem)
    return options


def log(line):
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
    sys.stderr.write(f"{stamp}Z {line}\n")
    sys.stderr.flush()


def load_handler(spec):
    module_name, _, function = spec.partition(":")
    if not function:
        raise SystemExit(f"--handler: say MODULE:FUNCTION, not {spec}")
    sys.path.insert(0, os.getcwd())
    return getattr(importlib.import_module(module_name), function)


def main(argv=None, handler=None):
    """Runs a worker from the command line. `handler` (a function) is what
    genq_worker.run() passes: then --synthetic/--handler/--bridge are not needed."""
    argv = sys.argv[1:] if argv is None else argv
    if handler is not None and not any(a in argv for a in ("--synthetic", "--handler", "--bridge", "--backend")):
        argv = [*argv, "--handler", "given:in-code"]
    options = parse(argv)
    if options.synthetic:
        chosen = SyntheticHandler(options.step_delay_ms / 1000, log)
    elif options.bridge:
        chosen = bridges.make(options, log)
    elif handler is not None:
        chosen = handler
    else:
        chosen = load_handler(options.handler)
    client = ProtocolClient(options.server, options.token, log)
    worker = Worker(client, chosen, models=options.models, concurrency=options.concurrency,
                    worker_id=options.worker_id, wait_ms=options.wait_ms, grace_s=options.grace_ms / 1000,
                    log=log)
    for name in ("SIGTERM", "SIGINT"):
        signal.signal(getattr(signal, name), lambda signum, frame, name=name: worker.stop(name))
    what = ",".join(options.models) if options.models else "every model the token allows"
    log(f"worker {options.worker_id} on {options.server}: {what}, {options.concurrency} at a time")
    try:
        worker.run()
    except ProtocolError as error:
        log(f"giving up: {error}")
        return 1
    log("stopped")
    return 0
