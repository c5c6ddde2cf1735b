"""A stand-in AUTOMATIC1111 WebUI API (--api) for the bridge tests, after its
/sdapi/v1 routes: POST txt2img and img2img answer {"images": [base64 PNG],
"parameters", "info"}; GET progress answers {"progress", "eta_relative", "state",
"current_image", "textinfo"} about the one generation running; POST interrupt stops
it (the answer then holds the image so far, as the WebUI does). Errors as its API
middleware writes them: 422 {"detail": [{"loc", "msg", "type"}]} for a field of the
wrong type, 500 {"error", "detail", "body", "errors"} for an exception.

Test knob: a prompt holding "fail" raises in the sampler. Each step takes STEP_S."""

import base64
import json
import threading
import time

import standin

STEP_S = 0.15


class A1111:
    def __init__(self):
        self.lock = threading.Lock()      # one generation at a time, as the WebUI
        self.state = {"progress": 0.0, "step": 0, "steps": 0, "image": None, "job": ""}
        self.interrupted = threading.Event()

    def route(self, method, path):
        return {("POST", "/sdapi/v1/txt2img"): self.txt2img, ("POST", "/sdapi/v1/img2img"): self.img2img,
                ("GET", "/sdapi/v1/progress"): self.progress,
                ("POST", "/sdapi/v1/interrupt"): self.interrupt}.get((method, path))

    def txt2img(self, handler, query, body):
        self.generate(handler, json.loads(body), None)

    def img2img(self, handler, query, body):
        request = json.loads(body)
        images = request.get("init_images")
        if not isinstance(images, list) or not images:
            return handler.answer(422, {"detail": [{"loc": ["body", "init_images"], "msg": "field required",
                                                    "type": "value_error.missing"}]})
        self.generate(handler, request, base64.b64decode(images[0]))

    def generate(self, handler, request, init_image):
        for field in ("width", "height", "steps", "seed"):
            if field in request and not isinstance(request[field], int):
                return handler.answer(422, {"detail": [{"loc": ["body", field], "msg": "value is not a valid integer",
                                                        "type": "type_error.integer"}]})
        width, height, steps = request.get("width", 512), request.get("height", 512), request.get("steps", 20)
        with self.lock:
            self.interrupted.clear()
            self.state.update(progress=0.0, step=0, steps=steps, image=None, job="txt2img")
            for step in range(1, steps + 1):
                time.sleep(STEP_S)
                if self.interrupted.is_set():
                    break
                if "fail" in request.get("prompt", "") and step == 2:
                    self.state.update(progress=0.0, job="")
                    return handler.answer(500, {"error": "OutOfMemoryError", "detail": "", "body": "",
                                                "errors": "CUDA out of memory. Tried to allocate 2.00 GiB"})
                self.state.update(progress=step / steps, step=step,
                                  image=base64.b64encode(standin.png(32, 32, step)).decode())
            seed = request.get("seed", -1) & 0xFF
            image = self.made(standin.png(width, height, seed))
            self.state.update(progress=0.0, step=0, image=None, job="")
        info = {"prompt": request.get("prompt", ""), "seed": request.get("seed", -1), "width": width,
                "height": height, "init_image_bytes": len(init_image) if init_image else 0}
        handler.answer(200, {"images": [base64.b64encode(image).decode()], "parameters": request,
                             "info": json.dumps(info)})

    def progress(self, handler, query, body):
        state = self.state
        current = None if query.get("skip_current_image") == "true" else state["image"]
        handler.answer(200, {"progress": state["progress"], "eta_relative": 0.0,
                             "state": {"skipped": False, "interrupted": self.interrupted.is_set(), "job": state["job"],
                                       "job_count": 1 if state["job"] else 0, "job_timestamp": "0", "job_no": 0,
                                       "sampling_step": state["step"], "sampling_steps": state["steps"]},
                             "current_image": current, "textinfo": None})

    def interrupt(self, handler, query, body):
        self.interrupted.set()
        handler.answer(200, {})


if __name__ == "__main__":
    standin.serve(A1111())
