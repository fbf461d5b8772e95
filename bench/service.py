"""The upstream that bench/gateway.py measures through the gateway: the minimal FastAPI JSON route
of the reference measurements (a 4-field object, no database), mounted under identity's prefix so
the gateway routes to it. Identity's own public route, jwks.json, reads the database on every
call, which would measure SQLite rather than the hop."""

from fastapi import FastAPI

app = FastAPI(title="bench upstream")


@app.get("/api/identity/v1/items/{item_id}")
async def get_item(item_id: int) -> dict:
    return {"id": item_id, "name": "Item", "price": 9.5, "tags": ["a", "b"]}
