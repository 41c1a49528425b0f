"""
A driver for comfyui-utils 0.0.1 (PyPI, andreyryabtsev/comfyui_utils), unmodified, through its
public API: `comfy.ComfyAPI(address)` and `await api.submit(prompt, callbacks)` with a
`comfy.Callbacks` subclass (`queue_position`, `in_progress`, `completed`). What the library does
and where it is weak: README.md beside this file.

Faithful to the library, not better:
- each job is one `submit()` coroutine on one asyncio loop (a thread of its own; the main thread
  reads stdin); the library makes a new client_id, HTTP session and socket per submit;
- the library hands the prompt_id to nobody: the driver observes its own module function
  `_prompt_websocket(sess, callbacks)`, which `submit()` calls right after POST /prompt with the
  prompt_id in `sess`; the wrapper reports it and calls the library's function unchanged;
- `completed(outputs, cached)` is the library's only result: the job is `completed` with those
  outputs as given (one node's output, e.g. {"images": [...]}); when `submit()` returns without
  having called it (the socket closed first), the caller has no result: `failed`, disconnected;
- exceptions: before the prompt_id (a refused submit) -> error; BrokenPipeError and
  aiohttp.ClientError -> disconnected; anything else (ValueError, AssertionError on a binary frame,
  the RuntimeError of a StopIteration) -> error;
- progress: what it passes to `in_progress(node, value, total)`, when total > 0;
- windows: declared, since every submit() is a session of its own (a new client_id); no cancel
  (the library has none).

Run: COMFY_URL=http://127.0.0.1:8188 python clients/third-party/comfyui-utils/driver.py
"""

import asyncio
import os
import sys
import threading
import urllib.parse

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from driver_support import commands, comfy_url, describe, emit, take_stdout  # noqa: E402

take_stdout("comfyui-utils")

import aiohttp  # noqa: E402
from comfyui_utils import comfy  # noqa: E402

ADDRESS = urllib.parse.urlparse(comfy_url()).netloc  # the library wants host:port and speaks http:// and ws://

_library_prompt_websocket = comfy._prompt_websocket


async def _observed_prompt_websocket(sess, callbacks):
    callbacks.prompt_id = sess.prompt_id
    emit("submitted", id=callbacks.job_id, prompt_id=sess.prompt_id)
    return await _library_prompt_websocket(sess, callbacks)


comfy._prompt_websocket = _observed_prompt_websocket


class JobCallbacks(comfy.Callbacks):
    def __init__(self, job_id):
        self.job_id = job_id
        self.prompt_id = None
        self.result = None  # (outputs, cached) once completed() was called

    async def queue_position(self, position):
        pass

    async def in_progress(self, node_id, progress, total):
        if total:
            emit("progress", id=self.job_id, value=progress, max=total, node=None if node_id is None else str(node_id))

    async def completed(self, outputs, cached):
        self.result = (outputs, cached)


api = comfy.ComfyAPI(ADDRESS)


async def run_job(job_id, prompt):
    callbacks = JobCallbacks(job_id)
    try:
        await api.submit(prompt, callbacks)
    except Exception as error:
        if callbacks.prompt_id is None:
            reason = "error"
        elif isinstance(error, (BrokenPipeError, aiohttp.ClientError)):
            reason = "disconnected"
        else:
            reason = "error"
        return emit("failed", id=job_id, prompt_id=callbacks.prompt_id, reason=reason, error=describe(error))
    if callbacks.result is None:
        return emit("failed", id=job_id, prompt_id=callbacks.prompt_id, reason="disconnected",
                    error="submit() returned without calling completed(): the socket closed before the job's executed frame")
    outputs, _cached = callbacks.result
    emit("completed", id=job_id, prompt_id=callbacks.prompt_id, outputs=outputs if isinstance(outputs, dict) else {"output": outputs})


loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()

emit("ready", capabilities={"windows": 8})  # every submit() is a session of its own (new client_id); no cancel
for command in commands():
    kind = command.get("type")
    if kind == "submit":
        asyncio.run_coroutine_threadsafe(run_job(command["id"], command["prompt"]), loop)
    elif kind == "cancel":
        emit("log", message="{}: comfyui-utils has no way to cancel a job; nothing sent".format(command.get("id")))
    elif kind == "shutdown":
        break
sys.exit(0)
