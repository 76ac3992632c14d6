"""The floor for HTTP overhead: a FastAPI app with one plain `def` route that answers {}.

Served by uvicorn exactly as `graphsvc serve` serves the real app (one process, same loop and
HTTP implementation, access log off), so the difference between the two is the service's own work.
"""

from fastapi import FastAPI

app = FastAPI()


@app.get("/noop")
def noop() -> dict:
    return {}
