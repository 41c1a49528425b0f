"""
A driver for comfyapi 2.0.1 (PyPI, samratbarai/comfyapi-client), unmodified, through its public
API: `ComfyAPIManager()`, `set_base_url(url)`, `load_workflow(path)`, `submit_workflow()` and
`wait_for_finish(prompt_id, poll_interval, max_wait_time)`. What the library does and where it is
weak: README.md beside this file.

Faithful to the library, not better:
- one manager, as the library keeps its URL and client_id in module globals (one per process);
  a job is load_workflow + submit_workflow (under a lock: the manager holds one workflow at a
  time) and then wait_for_finish in the job's own thread, which polls /history;
- `submit_workflow()` returns the prompt_id, reported at once;
- `wait_for_finish` returning `(filename, url)` is `completed` with outputs as it returns them,
  `{"filename": ..., "url": ...}` (a /view URL); its exceptions map to reasons by class:
  comfyapi.TimeoutError -> timeout, comfyapi.ConnectionError -> disconnected, QueueError,
  ExecutionError and anything else -> error;
- it prints on stdout (every poll): those lines become `log` events;
- no cancel, no windows: the library has neither;
- the scenario's hints set the library's own knobs: pollIntervalMs -> poll_interval, jobTimeoutMs ->
  max_wait_time; otherwise its defaults (3 s, 600 s).

Run: COMFY_URL=http://127.0.0.1:8188 python clients/third-party/comfyapi/driver.py
"""

import atexit
import json
import os
import shutil
import sys
import tempfile
import threading

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from driver_support import commands, comfy_url, describe, emit, hint_seconds, take_stdout  # noqa: E402

take_stdout("comfyapi")

import comfyapi  # noqa: E402

POLL_INTERVAL = hint_seconds("pollIntervalMs", 3)
MAX_WAIT = hint_seconds("jobTimeoutMs", 600)

manager = comfyapi.ComfyAPIManager()
manager.set_base_url(comfy_url())
submit_lock = threading.Lock()
workflows = tempfile.mkdtemp(prefix="comfyapi-driver-")  # load_workflow() takes a file
atexit.register(shutil.rmtree, workflows, True)


def reason_of(error):
    if isinstance(error, comfyapi.TimeoutError):
        return "timeout"
    if isinstance(error, comfyapi.ConnectionError):
        return "disconnected"
    return "error"


def run_job(job_id, prompt):
    path = os.path.join(workflows, "{}.json".format(job_id))
    with open(path, "w", encoding="utf-8") as f:
        json.dump(prompt, f)
    try:
        with submit_lock:
            manager.load_workflow(path)
            prompt_id = manager.submit_workflow()
    except Exception as error:
        return emit("failed", id=job_id, reason="error", error=describe(error))
    emit("submitted", id=job_id, prompt_id=prompt_id)
    try:
        filename, url = manager.wait_for_finish(prompt_id, poll_interval=POLL_INTERVAL, max_wait_time=MAX_WAIT)
    except Exception as error:
        return emit("failed", id=job_id, prompt_id=prompt_id, reason=reason_of(error), error=describe(error))
    emit("completed", id=job_id, prompt_id=prompt_id, outputs={"filename": filename, "url": url})


emit("ready")  # declares nothing: one server, one window (module globals), no cancel
for command in commands():
    kind = command.get("type")
    if kind == "submit":
        threading.Thread(target=run_job, args=(command["id"], command["prompt"]), daemon=True).start()
    elif kind == "cancel":
        emit("log", message="{}: comfyapi has no way to cancel a job; nothing sent".format(command.get("id")))
    elif kind == "shutdown":
        break
sys.exit(0)
