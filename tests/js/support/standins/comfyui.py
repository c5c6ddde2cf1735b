"""A stand-in ComfyUI server for the bridge tests, after ComfyUI's server API:
POST /prompt {"prompt": workflow, "client_id"} answers {"prompt_id", "number",
"node_errors"} or 400 {"error": {...}, "node_errors": {...}}; the run is reported
on GET /ws?clientId=... as JSON text messages (status, execution_start, executing,
progress, executed, execution_error, execution_interrupted, execution_success) and
binary preview frames (u32 event 1 = PREVIEW_IMAGE, u32 format 1 = JPEG, image);
GET /view?filename&subfolder&type serves outputs, GET /history/{id} the outcome,
POST /upload/image stores inputs, POST /interrupt and POST /queue {"delete"} stop.
The socket also pings (as aiohttp's heartbeat does; the pong is recorded as a call to
/ws/pong) and sends each preview in two fragments.

Test knobs, in the workflow's texts: a prompt holding "fail" raises an exception in
the sampler at step 2. Each sampling step takes STEP_S."""

import base64
import hashlib
import json
import struct
import threading
import time
import uuid

import standin

STEP_S = 0.1
KNOWN = {"CheckpointLoaderSimple", "EmptyLatentImage", "CLIPTextEncode", "KSampler", "VAEDecode", "SaveImage",
         "LoadImage", "VAEEncode"}


class Socket:
    """The server side of one /ws connection: unmasked frames, written under a lock."""

    def __init__(self, handler):
        self.handler = handler
        self.lock = threading.Lock()
        self.lock_for_message = threading.Lock()   # keeps a fragmented message's frames together

    def send(self, opcode, payload, fin=True):
        head = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        head += bytes([n]) if n < 126 else (bytes([126]) + struct.pack(">H", n) if n < 65536
                                            else bytes([127]) + struct.pack(">Q", n))
        with self.lock:
            try:
                self.handler.wfile.write(head + payload)
                self.handler.wfile.flush()
            except OSError:
                pass

    def send_json(self, value):
        self.send(0x1, json.dumps(value).encode())


class ComfyUI:
    def __init__(self):
        self.sockets = {}          # client_id -> Socket
        self.files = {}            # (type, subfolder, filename) -> bytes
        self.history = {}
        self.interrupt = threading.Event()
        self.lock = threading.Lock()
        self.number = 0

    def route(self, method, path):
        if path.startswith("/history/") and method == "GET":
            return self.get_history
        return {("GET", "/ws"): self.ws, ("POST", "/prompt"): self.prompt, ("GET", "/view"): self.view,
                ("POST", "/interrupt"): self.do_interrupt, ("POST", "/queue"): self.queue,
                ("POST", "/upload/image"): self.upload}.get((method, path))

    def ws(self, handler, query, body):
        key = handler.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
        handler.send_response(101)
        handler.send_header("Upgrade", "websocket")
        handler.send_header("Connection", "Upgrade")
        handler.send_header("Sec-WebSocket-Accept", accept.decode())
        handler.end_headers()
        handler.wfile.flush()
        client_id = query.get("clientId") or uuid.uuid4().hex
        sock = Socket(handler)
        with self.lock:
            self.sockets[client_id] = sock
        sock.send_json({"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": client_id}})
        # Read the client's frames until it closes: masked, as RFC 6455 requires.
        try:
            while True:
                head = handler.rfile.read(2)
                if len(head) < 2:
                    break
                length = head[1] & 0x7F
                if length == 126:
                    length = struct.unpack(">H", handler.rfile.read(2))[0]
                elif length == 127:
                    length = struct.unpack(">Q", handler.rfile.read(8))[0]
                if not head[1] & 0x80:
                    break  # an unmasked client frame is a protocol error
                mask = handler.rfile.read(4)
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(handler.rfile.read(length)))
                if head[0] & 0x0F == 0xA:
                    with handler.server.lock:
                        handler.server.calls.append({"method": "WS", "path": "/ws/pong", "query": {},
                                                     "json": payload.decode(errors="replace")})
                if head[0] & 0x0F == 0x8:
                    break
        finally:
            with self.lock:
                if self.sockets.get(client_id) is sock:
                    del self.sockets[client_id]
        handler.close_connection = True

    def prompt(self, handler, query, body):
        request = json.loads(body)
        workflow = request.get("prompt")
        if not isinstance(workflow, dict):
            return handler.answer(400, {"error": {"type": "invalid_prompt", "message": "Cannot execute because a node is missing the class_type property.", "details": "", "extra_info": {}}, "node_errors": {}})
        node_errors = {}
        for node_id, node in workflow.items():
            if node.get("class_type") not in KNOWN:
                node_errors[node_id] = {"errors": [{"type": "invalid_node", "message": "Node type not found",
                                                    "details": str(node.get("class_type")), "extra_info": {}}],
                                        "dependent_outputs": [], "class_type": node.get("class_type")}
            for name, value in node.get("inputs", {}).items():
                if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
                    node_errors.setdefault(node_id, {"errors": [], "dependent_outputs": [],
                                                     "class_type": node.get("class_type")})["errors"].append(
                        {"type": "invalid_input_type", "message": "Failed to convert an input value",
                         "details": f"{name}, {value}", "extra_info": {}})
        if node_errors:
            return handler.answer(400, {"error": {"type": "prompt_outputs_failed_validation",
                                                  "message": "Prompt outputs failed validation", "details": "",
                                                  "extra_info": {}}, "node_errors": node_errors})
        prompt_id = str(uuid.uuid4())
        with self.lock:
            self.number += 1
            number = self.number
        self.interrupt.clear()
        threading.Thread(target=self.execute, args=(prompt_id, workflow, request.get("client_id")), daemon=True).start()
        handler.answer(200, {"prompt_id": prompt_id, "number": number, "node_errors": {}})

    def execute(self, prompt_id, workflow, client_id):
        def send(kind, data):
            sock = self.sockets.get(client_id)
            if sock:
                sock.send_json({"type": kind, "data": dict(data, prompt_id=prompt_id)})

        sampler_id, sampler = next((i, n) for i, n in workflow.items() if n["class_type"] == "KSampler")
        latent = next(n for n in workflow.values() if n["class_type"] == "EmptyLatentImage")["inputs"]
        texts = " ".join(str(n["inputs"].get("text", "")) for n in workflow.values() if n["class_type"] == "CLIPTextEncode")
        steps = int(sampler["inputs"]["steps"])
        sock = self.sockets.get(client_id)
        if sock:
            sock.send(0x9, b"are you there")    # aiohttp's heartbeat pings; the client must answer
        send("execution_start", {"timestamp": int(time.time() * 1000)})
        send("execution_cached", {"nodes": [], "timestamp": int(time.time() * 1000)})
        send("executing", {"node": sampler_id, "display_node": sampler_id})
        for step in range(1, steps + 1):
            time.sleep(STEP_S)
            if self.interrupt.is_set():
                send("execution_interrupted", {"node_id": sampler_id, "node_type": "KSampler", "executed": []})
                self.history[prompt_id] = {"outputs": {}, "status": {"status_str": "error", "completed": False, "messages": []}}
                return
            if "fail" in texts and step == 2:
                error = {"node_id": sampler_id, "node_type": "KSampler", "executed": [],
                         "exception_message": "Allocation on device would exceed allowed memory. (out of memory)\n",
                         "exception_type": "torch.OutOfMemoryError", "traceback": ["..."], "current_inputs": {},
                         "current_outputs": {}}
                send("execution_error", error)
                self.history[prompt_id] = {"outputs": {}, "status": {"status_str": "error", "completed": False,
                                                                     "messages": [["execution_error", error]]}}
                return
            send("progress", {"value": step, "max": steps, "node": sampler_id})
            sock = self.sockets.get(client_id)
            if sock:
                # A preview frame, in two fragments: a client must join them.
                frame = struct.pack(">II", 1, 1) + standin.JPEG
                with sock.lock_for_message:
                    sock.send(0x2, frame[:20], fin=False)
                    sock.send(0x0, frame[20:])
        save_id = next(i for i, n in workflow.items() if n["class_type"] == "SaveImage")
        send("executing", {"node": save_id, "display_node": save_id})
        filename = f"{workflow[save_id]['inputs'].get('filename_prefix', 'ComfyUI')}_{prompt_id[:8]}_.png"
        self.files[("output", "", filename)] = self.made(standin.png(int(latent["width"]), int(latent["height"]),
                                                           int(sampler["inputs"]["seed"]) & 0xFF))
        output = {"images": [{"filename": filename, "subfolder": "", "type": "output"}]}
        send("executed", {"node": save_id, "display_node": save_id, "output": output})
        self.history[prompt_id] = {"prompt": [0, prompt_id, workflow, {}, [save_id]], "outputs": {save_id: output},
                                   "status": {"status_str": "success", "completed": True, "messages": []}}
        send("executing", {"node": None})
        send("execution_success", {"timestamp": int(time.time() * 1000)})

    def view(self, handler, query, body):
        data = self.files.get((query.get("type", "output"), query.get("subfolder", ""), query.get("filename")))
        if data is None:
            return handler.answer(404, b"", "text/plain")
        handler.answer(200, data, "image/png")

    def get_history(self, handler, query, body):
        prompt_id = handler.path.split("/history/", 1)[1].split("?")[0]
        handler.answer(200, {prompt_id: self.history[prompt_id]} if prompt_id in self.history else {})

    def do_interrupt(self, handler, query, body):
        self.interrupt.set()
        handler.answer(200, b"", "text/plain")

    def queue(self, handler, query, body):
        handler.answer(200, b"", "text/plain")

    def upload(self, handler, query, body):
        fields = standin.multipart(handler, body)
        filename, data = fields["image"]
        self.files[("input", "", filename)] = data
        handler.answer(200, {"name": filename, "subfolder": "", "type": "input"})


if __name__ == "__main__":
    standin.serve(ComfyUI())
