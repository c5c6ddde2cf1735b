"""genq_worker: a genq worker library and command line, standard library only.

Write one function and serve it:

    import genq_worker

    def generate(job, ctx):
        ...                                     # job.params, ctx.input("image")
        ctx.progress(50, preview=jpeg_bytes)    # lease kept alive; raises Cancelled if cancelled
        return genq_worker.Output.file_of(png_bytes, "image/png")

    genq_worker.run(generate)   # flags as `python3 -m genq_worker --help` lists them

docs/worker-protocol.md is the protocol this speaks; handler.py the handler API.
"""

from .client import LeaseLost, ProtocolClient, ProtocolError
from .handler import Cancelled, Context, InvalidInput, Job, Output, Retryable
from .worker import Worker

__all__ = ["Cancelled", "Context", "InvalidInput", "Job", "LeaseLost", "Output", "ProtocolClient",
           "ProtocolError", "Retryable", "Worker", "run"]
__version__ = "0.1.0"


def run(handler, argv=None):
    """Serves `handler(job, ctx)` with the command-line flags (or `argv`); returns the
    exit code (0 stopped cleanly, 1 refused by the server)."""
    from .cli import main
    return main(argv, handler=handler)
