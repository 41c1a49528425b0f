"""
A deliberately naive Python driver: the pattern most ComfyUI API users copy, ComfyUI's own
script_examples/websockets_api_example.py (comfyui-protocol.md section 5), written by us in that
style with the same library (websocket-client from PyPI), speaking the driver protocol
(driver_protocol.py). It exists to show what that pattern does under faults; do not copy it.

What it does, like the example:
- one WebSocket to /ws?clientId=<uuid4 made here>, opened once, with no timeout;
- POST /prompt with {prompt, client_id, prompt_id: <uuid4 made here>} (urllib, as the example);
- the main thread blocks on ws.recv(), skips binary frames, json.loads() every text frame, and
  takes `executing` with node None and a pending prompt_id as "done";
- then GET /history/{id} and reports the job completed with history[id]["outputs"].
Additions for the driver protocol only: one thread reads commands from stdin, several prompts can
be pending on the one socket (told apart by prompt_id), `progress` frames are reported, and a
cancel is POST /queue {delete} plus POST /interrupt {prompt_id} (the example cannot cancel).

What it gets wrong, like the example, on purpose:
- no reconnect, no heartbeat, no timeout: when the socket dies, recv() raises (1006) or returns
  '' (a close frame, then json.loads('') raises), the exception ends the script with a traceback,
  and every pending job dies with it; ComfyUI keeps running them, so completions are lost
  (no-lost-completion) and jobs never end (no-hang). Field reports: Comfy-Org/ComfyUI#3128 and
  #3390 (the example's recv() hangs mid-run), Comfy-Org/comfy-cli#200 (WebSocketTimeoutException
  on long workflows), aws-solutions-library-samples/guidance-for-asynchronous-inference-with-
  stable-diffusion-on-aws#50 (no reconnect after the WS closes under load);
- a bare json.loads() on every text frame: a UTF-8 BOM, a garbage prefix, a text heartbeat or a
  truncated frame raises JSONDecodeError and ends the script the same way (Comfy-Org/ComfyUI#2435);
- it never reads history's status: a prompt that failed or was interrupted ends with
  executing{node: None} too, and is reported completed with whatever outputs it has (often {});
- history[id] raises KeyError when history is not there (a restart lost it: ComfyUI#1977);
- it never polls: a socket that stays open but goes silent (ComfyUI#16010, #15240, #3980) leaves
  recv() blocked for ever.

Run: COMFY_URL=http://127.0.0.1:8188 python clients/python/naive_driver.py
"""

import json
import os
import sys
import threading
import urllib.request
import uuid

import websocket  # websocket-client

sys.dont_write_bytecode = True  # no __pycache__ next to the drivers when driver_protocol is imported

from driver_protocol import commands, comfy_urls, emit

base_url = comfy_urls()[0]  # one server, like the example
server_address = base_url.split("://", 1)[-1]
client_id = str(uuid.uuid4())
pending = {}  # prompt_id -> harness job id


def queue_prompt(prompt, prompt_id):
    p = {"prompt": prompt, "client_id": client_id, "prompt_id": prompt_id}
    data = json.dumps(p).encode("utf-8")
    req = urllib.request.Request("http://{}/prompt".format(server_address), data=data)
    return json.loads(urllib.request.urlopen(req).read())


def get_history(prompt_id):
    with urllib.request.urlopen("http://{}/history/{}".format(server_address, prompt_id)) as response:
        return json.loads(response.read())


def post(path, body):
    req = urllib.request.Request("http://{}{}".format(server_address, path), data=json.dumps(body).encode("utf-8"))
    urllib.request.urlopen(req).read()


def submit(job_id, prompt):
    prompt_id = str(uuid.uuid4())
    pending[prompt_id] = job_id
    try:
        queue_prompt(prompt, prompt_id)
    except Exception as error:  # the example would die here; a driver reports it
        pending.pop(prompt_id, None)
        emit("failed", id=job_id, prompt_id=prompt_id, reason="error", error="POST /prompt failed: {}".format(error))
        return
    emit("submitted", id=job_id, prompt_id=prompt_id)


def cancel(job_id):
    for prompt_id, job in list(pending.items()):
        if job == job_id:
            post("/queue", {"delete": [prompt_id]})
            post("/interrupt", {"prompt_id": prompt_id})


def read_commands():
    for command in commands():
        kind = command.get("type")
        if kind == "submit":
            submit(command["id"], command["prompt"])
        elif kind == "cancel":
            cancel(command["id"])
        elif kind == "shutdown":
            break
    sys.stdout.flush()
    os._exit(0)


ws = websocket.WebSocket()
ws.connect("ws://{}/ws?clientId={}".format(server_address, client_id))
threading.Thread(target=read_commands, name="commands", daemon=True).start()
emit("ready", capabilities={"cancel": True})  # one server, one window (one clientId); cancel by queue delete + interrupt

# The example's loop, for every pending prompt at once.
while True:
    out = ws.recv()
    if isinstance(out, str):
        message = json.loads(out)
        data = message["data"]
        if message["type"] == "progress" and data.get("prompt_id") in pending:
            emit("progress", id=pending[data["prompt_id"]], value=data["value"], max=data["max"], node=data.get("node"))
        if message["type"] == "executing":
            if data["node"] is None and data["prompt_id"] in pending:
                prompt_id = data["prompt_id"]
                job_id = pending.pop(prompt_id)
                history = get_history(prompt_id)[prompt_id]
                emit("completed", id=job_id, prompt_id=prompt_id, outputs=history["outputs"])
    else:
        continue  # previews are binary data
