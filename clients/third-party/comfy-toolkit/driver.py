"""
A driver for comfy-toolkit 0.1.0 (PyPI, tangyistudio/comfy-toolkit), unmodified, through its public
API: `ComfyClient(base_url)`, `client.submit_and_track(workflow, on_progress=, on_node=, ...)` and
`client.interrupt()`. What the library does and where it is weak: README.md beside this file.

Faithful to the library, not better:
- each job is one `submit_and_track` call in its own thread (the call blocks until the job ends);
  its return value is `completed`, its exception `failed`;
- the library returns the prompt_id only at the end, so the driver observes its own `submit()`
  (a subclass that calls the library's method and reports the id it returned; nothing else changes);
- exceptions map to reasons by class: ComfySubmitError -> error, ComfyExecutionError -> error, or
  interrupted when its detail says `execution_interrupted`, ComfyTimeoutError (and its subclass
  HistoryNotReadyError) -> timeout, anything else -> error;
- outputs are reported as the library returns them: its flat lists of file descriptors
  (`images`, `videos`: {node_id, filename, subfolder, type, output_key});
- progress is what it passes to `on_progress(step, total)`, with the node it last passed to `on_node`;
- windows: one ComfyClient (so one client_id) per window, as a multi-user app would make them;
- cancel: the library's only way is `interrupt()`, a global POST /interrupt: whatever runs stops;
- the scenario's hints set the library's own knobs: healthTimeoutMs -> recv_timeout (the silence
  after which it polls /history), jobTimeoutMs -> overall_timeout; otherwise its defaults (5 s, 600 s).

Run: COMFY_URL=http://127.0.0.1:8188 python clients/third-party/comfy-toolkit/driver.py
"""

import os
import sys
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from driver_support import commands, comfy_url, describe, emit, hint_seconds, take_stdout  # noqa: E402

take_stdout("comfy-toolkit")

from comfy_toolkit import ComfyClient  # noqa: E402
from comfy_toolkit.errors import ComfyExecutionError, ComfySubmitError, ComfyTimeoutError  # noqa: E402

BASE = comfy_url()
RECV_TIMEOUT = hint_seconds("healthTimeoutMs", 5.0)
OVERALL_TIMEOUT = hint_seconds("jobTimeoutMs", 600.0)

_job = threading.local()  # the harness job id of the thread that runs it
prompt_ids = {}  # job id -> prompt_id


class ObservedClient(ComfyClient):
    """The library's ComfyClient; submit() also tells the harness the prompt_id it got."""

    def submit(self, workflow, **kwargs):
        prompt_id = super().submit(workflow, **kwargs)
        job_id = getattr(_job, "id", None)
        if job_id is not None:
            prompt_ids[job_id] = prompt_id
            emit("submitted", id=job_id, prompt_id=prompt_id)
        return prompt_id


clients = {}  # window -> ObservedClient
clients_lock = threading.Lock()


def client_for(window):
    with clients_lock:
        if window not in clients:
            clients[window] = ObservedClient(BASE)
        return clients[window]


def reason_of(error):
    if isinstance(error, ComfyExecutionError):
        return "interrupted" if "execution_interrupted" in (error.detail or "") else "error"
    if isinstance(error, ComfyTimeoutError):
        return "timeout"
    return "error"  # ComfySubmitError and anything unexpected


def run_job(job_id, prompt, window):
    _job.id = job_id
    node = {"id": None}

    def on_node(node_id):
        node["id"] = node_id

    def on_progress(step, total):
        emit("progress", id=job_id, value=step, max=total, node=None if node["id"] is None else str(node["id"]))

    try:
        result = client_for(window).submit_and_track(
            prompt, on_progress=on_progress, on_node=on_node, recv_timeout=RECV_TIMEOUT, overall_timeout=OVERALL_TIMEOUT
        )
    except Exception as error:  # the library's exceptions, and whatever else escapes it
        reason = "error" if isinstance(error, ComfySubmitError) else reason_of(error)
        return emit("failed", id=job_id, prompt_id=prompt_ids.get(job_id), reason=reason, error=describe(error))
    emit("completed", id=job_id, prompt_id=result.get("prompt_id") or prompt_ids.get(job_id),
         outputs={"images": result.get("images", []), "videos": result.get("videos", [])})


def cancel(job_id):
    try:
        client_for("main").interrupt()
    except Exception as error:
        emit("log", message="{}: interrupt() raised {}".format(job_id, describe(error)))


emit("ready", capabilities={"windows": 8, "cancel": True})  # a ComfyClient per window; cancel is its global interrupt()
for command in commands():
    kind = command.get("type")
    if kind == "submit":
        window = command.get("window") or "main"
        threading.Thread(target=run_job, args=(command["id"], command["prompt"], window), daemon=True).start()
    elif kind == "cancel":
        threading.Thread(target=cancel, args=(command["id"],), daemon=True).start()
    elif kind == "shutdown":
        break
sys.exit(0)
