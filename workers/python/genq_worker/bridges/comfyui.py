"""ComfyUI bridge: each job runs a workflow (API format) on a ComfyUI server.

The job's parameters go into the workflow's nodes, by placeholders the operator wrote
into it ("{prompt}", "{seed}", "{input.image}"; a string that is one whole
placeholder takes the value's JSON type) or, in a workflow without any, into the
nodes a stock workflow has: CLIPTextEncode on a sampler's positive and negative
inputs (prompt, negative_prompt), KSampler/KSamplerAdvanced (seed, steps, guidance
as cfg, strength as denoise), Empty*LatentImage (width, height), LoadImage (the
image input, uploaded with /upload/image first). The prompt is queued with POST
/prompt; progress, preview frames and the outputs are followed on /ws; the output
file comes from /view. A cancelled job interrupts the prompt (/interrupt) or deletes
it from the queue (/queue)."""

import copy
import json
import re
import struct
import time
import urllib.parse
import uuid

from .. import media
from ..handler import Cancelled, InvalidInput, Output, Retryable
from .upstream import Upstream, UpstreamError, sniff_type
from .websocket import BINARY, WebSocket, WebSocketClosed

PREVIEW_IMAGE = 1                  # binary event type, then 4 bytes image format
IMAGE_FORMATS = {1: "JPEG", 2: "PNG"}
# Previews are sent at most this often (ComfyUI may send one per step).
PREVIEW_INTERVAL_S = 0.25
# Keys of a node's output that list files, by the job output that takes them.
OUTPUT_KEYS = {"image": ("images",), "video": ("videos", "gifs", "images"), "audio": ("audio", "audios")}
PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_.|]*)\}")


def check(options):
    if not options.workflow:
        return "--bridge comfyui needs --workflow FILE (a workflow exported with Export (API))"
    try:
        load_workflow(options.workflow)
    except (OSError, ValueError) as error:
        return f"--workflow: {error}"
    return None


def load_workflow(path):
    with open(path, encoding="utf-8") as handle:
        workflow = json.load(handle)
    if isinstance(workflow, dict) and "prompt" in workflow and isinstance(workflow["prompt"], dict):
        workflow = workflow["prompt"]
    if not isinstance(workflow, dict) or not workflow or not all(
            isinstance(node, dict) and "class_type" in node for node in workflow.values()):
        raise ValueError(f"{path} is not a workflow in API format (nodes with class_type); "
                         "in ComfyUI use Workflow > Export (API)")
    return workflow


def make(options, log):
    return ComfyUIBridge(options.upstream, load_workflow(options.workflow), options.upstream_timeout_s, log)


def has_placeholders(value):
    if isinstance(value, str):
        return PLACEHOLDER.search(value) is not None
    if isinstance(value, dict):
        return any(has_placeholders(v) for v in value.values())
    if isinstance(value, list):
        return any(has_placeholders(v) for v in value)
    return False


def fill_placeholders(value, values):
    """The workflow with every {name} replaced from `values`; {a|b} takes the first
    that has a value. A string that is one whole placeholder keeps the value's type."""
    def lookup(expression):
        for name in expression.split("|"):
            if name in values and values[name] is not None:
                return values[name]
        raise InvalidInput(f"the workflow needs {{{expression}}}, which this job does not have")

    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:
            return lookup(whole.group(1))
        return PLACEHOLDER.sub(lambda m: str(lookup(m.group(1))), value)
    if isinstance(value, dict):
        return {k: fill_placeholders(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [fill_placeholders(v, values) for v in value]
    return value


def fill_known_nodes(workflow, values):
    """Sets the job's values into the nodes a stock workflow has (see the module text)."""
    def text_node(link):
        if isinstance(link, list) and link and str(link[0]) in workflow:
            node = workflow[str(link[0])]
            if node.get("class_type", "").startswith("CLIPTextEncode") and "text" in node.get("inputs", {}):
                return node
        return None

    for node in workflow.values():
        inputs = node.setdefault("inputs", {})
        kind = node.get("class_type", "")
        if kind in ("KSampler", "KSamplerAdvanced"):
            seed_key = "noise_seed" if kind == "KSamplerAdvanced" else "seed"
            for key, name in ((seed_key, "seed"), ("steps", "steps"), ("cfg", "guidance"), ("denoise", "strength")):
                if values.get(name) is not None and key in inputs:
                    inputs[key] = values[name]
            for side, name in (("positive", "prompt"), ("negative", "negative_prompt")):
                target = text_node(inputs.get(side))
                if target is not None and values.get(name) is not None:
                    target["inputs"]["text"] = values[name]
        elif kind.startswith("Empty") and kind.endswith("LatentImage"):
            for key in ("width", "height"):
                if values.get(key) is not None:
                    inputs[key] = values[key]
        elif kind == "LoadImage" and values.get("input.image") is not None:
            inputs["image"] = values["input.image"]
    return workflow


class ComfyUIBridge:
    def __init__(self, base, workflow, timeout_s, log):
        self.upstream = Upstream(base, timeout_s=60, name="ComfyUI")
        self.ws_base = ("wss" if base.startswith("https") else "ws") + base[base.index(":"):]
        self.workflow = workflow
        self.placeholders = has_placeholders(workflow)
        self.timeout_s = timeout_s
        self.log = log

    def __call__(self, job, ctx):
        values = dict(job.params)
        values.update(job_id=job.id, model=job.model, task=job.task)
        for field in job.inputs:
            values[f"input.{field}"] = self._upload(job, field, ctx.input(field))
        workflow = copy.deepcopy(self.workflow)
        workflow = fill_placeholders(workflow, values) if self.placeholders else fill_known_nodes(workflow, values)

        client_id = uuid.uuid4().hex
        try:
            socket = WebSocket(f"{self.ws_base}/ws?clientId={client_id}", timeout=30)
        except (OSError, ConnectionError) as error:
            raise Retryable(f"ComfyUI at {self.upstream.base} is unreachable: {error}") from None
        try:
            answer = self._queue(workflow, client_id)
            prompt_id = answer["prompt_id"]
            self.log(f"job {job.id}: ComfyUI prompt {prompt_id}")
            try:
                files = self._follow(socket, prompt_id, ctx)
            except Cancelled:
                self._cancel(prompt_id)
                raise
        finally:
            socket.close()
        if not files:
            files = self._history_files(prompt_id)
        return self._fetch_output(job, files)

    def _upload(self, job, field, data):
        """Uploads an input file to ComfyUI's input folder; the name LoadImage takes."""
        kind = sniff_type(data)
        extension = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(kind, "bin")
        _, _, body = self.upstream.multipart(
            "/upload/image", {"overwrite": "true", "type": "input"},
            {"image": (f"genq-{job.id}-{field.replace('.', '_')}.{extension}", data, kind)})
        answer = json.loads(body)
        name = answer["name"]
        return f"{answer['subfolder']}/{name}" if answer.get("subfolder") else name

    def _queue(self, workflow, client_id):
        """POST /prompt; its prompt_id. A refusal names the nodes and inputs at fault."""
        body = json.dumps({"prompt": workflow, "client_id": client_id}).encode()
        status, _, data = self.upstream.request("POST", "/prompt", body, {"Content-Type": "application/json"},
                                                want=(200, 499))
        try:
            answer = json.loads(data)
        except ValueError:
            answer = {}
        if status < 300 and answer.get("prompt_id"):
            return answer
        error = answer.get("error")
        message = error.get("message") if isinstance(error, dict) else str(error or data[:300])
        details = []
        for node_id, node in (answer.get("node_errors") or {}).items():
            for item in node.get("errors") or []:
                details.append(f"node {node_id} ({node.get('class_type')}): {item.get('message')}"
                               + (f" ({item['details']})" if item.get("details") else ""))
        raise UpstreamError(status, "ComfyUI refused the workflow: " + "; ".join([message, *details]))

    def _follow(self, socket, prompt_id, ctx):
        """Reads /ws until the prompt ends; the output files its nodes reported."""
        socket.settimeout(0.5)
        deadline = time.monotonic() + self.timeout_s
        percent, last_preview, files = 0.0, 0.0, []
        while True:
            if ctx.cancelled.is_set():
                raise Cancelled("cancelled")
            if time.monotonic() > deadline:
                self._cancel(prompt_id)
                raise RuntimeError(f"ComfyUI did not finish within {self.timeout_s} s")
            try:
                kind, message = socket.recv()
            except TimeoutError:
                continue
            except (WebSocketClosed, OSError):
                # The socket went away: wait for the prompt in the history instead.
                return self._wait_history(prompt_id, ctx, deadline)
            if kind == BINARY:
                if len(message) > 8 and struct.unpack(">I", message[:4])[0] == PREVIEW_IMAGE:
                    now = time.monotonic()
                    if now - last_preview >= PREVIEW_INTERVAL_S:
                        last_preview = now
                        ctx.progress(percent, _safe_preview(message[8:]))
                continue
            event = json.loads(message)
            data = event.get("data") or {}
            if data.get("prompt_id") not in (None, prompt_id):
                continue
            kind = event.get("type")
            if kind == "progress" and data.get("max"):
                # Sampling is most of the work; the last 5 % are decoding and saving.
                percent = min(95.0, 95.0 * data["value"] / data["max"])
                ctx.progress(percent)
            elif kind == "executed":
                files.extend(_files_of(data.get("output") or {}))
            elif kind == "execution_error":
                raise UpstreamError(500, "ComfyUI failed in node {} ({}): {}: {}".format(
                    data.get("node_id"), data.get("node_type"), data.get("exception_type"),
                    str(data.get("exception_message", "")).strip()))
            elif kind == "execution_interrupted":
                if ctx.cancelled.is_set():
                    raise Cancelled("cancelled")
                raise RuntimeError("the prompt was interrupted on the ComfyUI server")
            elif kind == "execution_success" or (kind == "executing" and data.get("node") is None
                                                 and data.get("prompt_id") == prompt_id):
                return files

    def _wait_history(self, prompt_id, ctx, deadline):
        while time.monotonic() < deadline:
            if ctx.cancelled.wait(1.0):
                raise Cancelled("cancelled")
            entry = self.upstream.json("GET", f"/history/{prompt_id}").get(prompt_id)
            if entry:
                status = entry.get("status") or {}
                if status.get("status_str") == "error":
                    raise UpstreamError(500, f"ComfyUI failed: {_history_error(status)}")
                return []
        raise RuntimeError(f"ComfyUI did not finish within {self.timeout_s} s")

    def _history_files(self, prompt_id):
        entry = self.upstream.json("GET", f"/history/{prompt_id}").get(prompt_id) or {}
        files = []
        for output in (entry.get("outputs") or {}).values():
            files.extend(_files_of(output))
        return files

    def _fetch_output(self, job, files):
        keys = OUTPUT_KEYS.get(job.output)
        if keys is None:
            raise RuntimeError(f"the ComfyUI bridge makes image, video and audio results, not {job.output}")
        chosen = None
        for key in keys:
            candidates = [f for k, f in files if k == key]
            # Prefer saved outputs over temporary previews.
            candidates.sort(key=lambda f: f.get("type") != "output")
            if candidates:
                chosen = candidates[0]
                break
        if chosen is None:
            raise RuntimeError(f"the workflow produced no {job.output} output (does it end in a Save node?)")
        query = urllib.parse.urlencode({"filename": chosen["filename"], "subfolder": chosen.get("subfolder", ""),
                                        "type": chosen.get("type", "output")})
        _, headers, data = self.upstream.request("GET", f"/view?{query}")
        content_type = headers.get("content-type", "").split(";")[0].strip()
        if not content_type or content_type == "application/octet-stream":
            content_type = sniff_type(data)
        return Output.file_of(data, content_type)

    def _cancel(self, prompt_id):
        """Stops the prompt whether it runs (interrupt) or still waits (queue delete)."""
        for path, body in (("/queue", {"delete": [prompt_id]}), ("/interrupt", {"prompt_id": prompt_id})):
            try:
                self.upstream.json("POST", path, body, timeout_s=10)
            except (UpstreamError, Retryable) as error:
                self.log(f"ComfyUI {path} for {prompt_id}: {error}")


def _files_of(output):
    """(key, file) pairs of a node output: {"images": [{filename, subfolder, type}], ...}."""
    pairs = []
    for key, items in output.items():
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict) and "filename" in item:
                    pairs.append((key, item))
    return pairs


def _safe_preview(image):
    try:
        return media.to_jpeg_preview(image)
    except Exception:  # a preview that does not convert is skipped, the job goes on
        return None


def _history_error(status):
    for message in status.get("messages") or []:
        if isinstance(message, list) and len(message) == 2 and message[0] == "execution_error":
            data = message[1]
            return f"{data.get('exception_type')}: {data.get('exception_message')}"
    return "unknown error"
