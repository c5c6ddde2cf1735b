"""Bridges: handlers that forward each job to an inference server already running
(docs/bridges.md). Each module offers check(options) -> problem or None, and
make(options, log) -> handler."""

import importlib

# --bridge NAME -> module in this package
MODULES = {
    "comfyui": "comfyui",
    "a1111": "a1111",
    "whisper-cpp": "whisper_cpp",
    "openai": "openai_compatible",
}
NAMES = tuple(MODULES)


def _module(name):
    return importlib.import_module(f"{__name__}.{MODULES[name]}")


def check(options):
    """Why these options cannot run the bridge, or None."""
    if not options.upstream:
        return f"--bridge {options.bridge} needs --upstream URL (the inference server)"
    if not options.upstream.startswith(("http://", "https://")):
        return f"--upstream: not an http(s) URL: {options.upstream}"
    options.upstream = options.upstream.rstrip("/")
    return _module(options.bridge).check(options)


def make(options, log):
    return _module(options.bridge).make(options, log)
