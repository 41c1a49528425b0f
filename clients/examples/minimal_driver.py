"""A minimal comfy-chaos driver (docs/write-a-driver.md), standard library only.
The harness writes commands on stdin and reads events on stdout, one JSON object per line.
`run_job` is where your client goes; this stand-in submits over HTTP, then polls /history.
Run: comfy-chaos run --client "python3 clients/examples/minimal_driver.py" --scenario 6.1"""
import json, os, sys, threading, time, urllib.request, uuid

BASE = os.environ["COMFY_URL"].split(",")[0].rstrip("/")
lock = threading.Lock()


def emit(**event):  # stdout is the protocol: whole lines, one writer at a time
    with lock:
        print(json.dumps(event), flush=True)


def call(path, body=None):  # GET, or POST with a JSON body
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def run_job(job_id, prompt):
    try:
        prompt_id = call("/prompt", {"prompt": prompt, "client_id": str(uuid.uuid4())})["prompt_id"]
    except Exception as error:
        return emit(type="failed", id=job_id, reason="error", error=str(error))
    emit(type="submitted", id=job_id, prompt_id=prompt_id)
    while True:  # no WebSocket: ask history until the prompt is there (a restart that loses it: for ever)
        time.sleep(0.25)
        try:
            entry = call("/history/" + prompt_id).get(prompt_id)
        except Exception:
            continue  # a network hiccup: ask again
        if entry:
            status = entry.get("status") or {}
            if status.get("status_str") == "error":
                interrupted = status["messages"][-1][0] == "execution_interrupted"
                return emit(type="failed", id=job_id, prompt_id=prompt_id, reason="interrupted" if interrupted else "error")
            return emit(type="completed", id=job_id, prompt_id=prompt_id, outputs=entry["outputs"])


emit(type="ready")
for line in sys.stdin:
    command = json.loads(line)
    if command["type"] == "submit":
        threading.Thread(target=run_job, args=(command["id"], command["prompt"]), daemon=True).start()
    elif command["type"] == "shutdown":
        break
