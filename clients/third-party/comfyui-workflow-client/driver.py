"""
A driver for comfyui-workflow-client 0.1.0 (PyPI, sugarkwork/Comfyui_api_client; module
`comfyuiclient`), unmodified, through its public API: the synchronous `ComfyUIClient(server,
prompt_file)`, `connect()` and `get_images(prompt)` (what its `generate()` calls). What the library
does and where it is weak, including its asynchronous twin: README.md beside this file.

Faithful to the library, not better:
- one ComfyUIClient (one client_id, one requests.Session) per window; each job is one
  `get_images(prompt)` call in its own thread, which POSTs /prompt and polls /history every second;
- the constructor wants a workflow file: it gets an empty one, since every job brings its prompt;
- `get_images` returns the prompt_id to nobody: the driver observes the client's own
  `queue_prompt()` (a subclass that calls the library's method and reports the id in its reply);
- `get_images` returning `(images, texts)` is `completed`, with outputs as it returns them, node by
  node: the downloaded bytes of each image (base64, as JSON has no bytes) and each text output,
  `{node: {"images": [<base64>...], "text": [...]}}`;
- exceptions: before the prompt_id (a refused submit) -> error; TimeoutError -> timeout;
  ConnectionError (its wrapper of a failed /view download) -> disconnected; anything else -> error;
- windows declared (a client per window); no cancel (the library has none).

Run: COMFY_URL=http://127.0.0.1:8188 python clients/third-party/comfyui-workflow-client/driver.py
"""

import atexit
import base64
import os
import shutil
import sys
import tempfile
import threading
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from driver_support import commands, comfy_url, describe, emit, take_stdout  # noqa: E402

take_stdout("comfyui-workflow-client")

from comfyuiclient import ComfyUIClient  # noqa: E402

SERVER = urllib.parse.urlparse(comfy_url()).netloc  # the library wants host:port and speaks http://
scratch = tempfile.mkdtemp(prefix="comfyui-workflow-client-driver-")
atexit.register(shutil.rmtree, scratch, True)
EMPTY_WORKFLOW = os.path.join(scratch, "workflow.json")
with open(EMPTY_WORKFLOW, "w", encoding="utf-8") as f:
    f.write("{}")

_job = threading.local()  # the harness job id of the thread that runs it
prompt_ids = {}  # job id -> prompt_id


class ObservedClient(ComfyUIClient):
    """The library's ComfyUIClient; queue_prompt() also tells the harness the prompt_id it got."""

    def queue_prompt(self, prompt):
        result = super().queue_prompt(prompt)
        job_id = getattr(_job, "id", None)
        if job_id is not None and isinstance(result, dict) and result.get("prompt_id"):
            prompt_ids[job_id] = result["prompt_id"]
            emit("submitted", id=job_id, prompt_id=result["prompt_id"])
        return result


clients = {}  # window -> ObservedClient
clients_lock = threading.Lock()


def client_for(window):
    with clients_lock:
        if window not in clients:
            client = ObservedClient(SERVER, EMPTY_WORKFLOW)
            client.connect()
            clients[window] = client
        return clients[window]


def outputs_of(images, texts):
    outputs = {}
    for node, blobs in images.items():
        outputs.setdefault(node, {})["images"] = [base64.b64encode(blob).decode("ascii") for blob in blobs]
    for node, text in texts.items():
        outputs.setdefault(node, {})["text"] = text
    return outputs


def run_job(job_id, prompt, window):
    _job.id = job_id
    try:
        images, texts = client_for(window).get_images(prompt)
    except Exception as error:
        prompt_id = prompt_ids.get(job_id)
        if prompt_id is None:
            reason = "error"
        elif isinstance(error, TimeoutError):
            reason = "timeout"
        elif isinstance(error, ConnectionError):
            reason = "disconnected"
        else:
            reason = "error"
        return emit("failed", id=job_id, prompt_id=prompt_id, reason=reason, error=describe(error))
    emit("completed", id=job_id, prompt_id=prompt_ids.get(job_id), outputs=outputs_of(images, texts))


emit("ready", capabilities={"windows": 8})  # a ComfyUIClient (own client_id) per window; no cancel
for command in commands():
    kind = command.get("type")
    if kind == "submit":
        window = command.get("window") or "main"
        threading.Thread(target=run_job, args=(command["id"], command["prompt"], window), daemon=True).start()
    elif kind == "cancel":
        emit("log", message="{}: comfyui-workflow-client has no way to cancel a job; nothing sent".format(command.get("id")))
    elif kind == "shutdown":
        break
sys.exit(0)
