"""Product photos over the running registry (issue 16): uploads judged by their content, the limits,
another IKM's product, order and deletion, the events, and who may read a photo."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Iterator
from typing import Any

import httpx
import redis
from PIL import Image

from tests.support.cluster import Cluster
from tests.support.data import ikm_body
from tests.support.images import decompression_bomb, pdf_bytes, photo_with_gps, png_bytes, webp_bytes

MB = 1024 * 1024
BOUNDARY = "photo-test-boundary"


def register(c: Cluster, products: int = 1, **overrides: Any) -> tuple[str, list[str]]:
    ikm_id = c.call("registry", "POST", "/ikms", json=ikm_body(products=products, **overrides)).json()["id"]
    products_ = c.call("registry", "GET", f"/ikms/{ikm_id}").json()["products"]
    return ikm_id, [p["id"] for p in products_]


def upload(c: Cluster, ikm_id: str, product_id: str, data: bytes, name: str = "foto.jpg",
           position: int | None = None) -> httpx.Response:
    form = {"position": str(position)} if position is not None else None
    return c.call("registry", "POST", f"/ikms/{ikm_id}/products/{product_id}/photos",
                  files={"file": (name, data, "image/jpeg")}, data=form)


def stream_events(c: Cluster, stream: str) -> list[dict[str, Any]]:
    client = redis.Redis.from_url(c.redis_url)
    try:
        entries = client.xrange(stream) if client.exists(stream) else []
    finally:
        client.close()
    return [_decode(fields) for _, fields in entries]


def _decode(fields: dict[bytes, bytes]) -> dict[str, Any]:
    raw = fields[b"__data__"]
    body = raw[raw.index(b"{"):]  # FastStream's binary header, then the JSON envelope
    envelope: dict[str, Any] = json.loads(body[:body.rindex(b"}") + 1])
    return envelope


def chunked_form(filename: str, size: int) -> Iterator[bytes]:
    """A multipart body `size` bytes of photo long, generated as it is sent (no Content-Length)."""
    yield (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
           "Content-Type: image/jpeg\r\n\r\n").encode() + b"\xff\xd8\xff"
    sent = 3
    while sent < size:
        chunk = b"\0" * min(MB, size - sent)
        sent += len(chunk)
        yield chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


def test_photos_are_judged_by_content_bounded_ordered_and_private_until_listed(cluster: Cluster) -> None:
    c = cluster
    c.start("registry")
    c.create_user("kurator.made", ["curator"])
    c.create_user("operator.wayan", ["operator"])
    ikm_id, (product_id, _) = register(c, products=2)
    other_ikm, (other_product,) = register(c, name="UD Tenun Ikat Sidemen")
    base = f"/ikms/{ikm_id}/products/{product_id}/photos"

    first = upload(c, ikm_id, product_id, photo_with_gps(3000, 2000))
    assert first.status_code == 201, first.text
    photo = first.json()
    assert photo["position"] == 1 and {s["name"]: (s["width"], s["height"]) for s in photo["sizes"]} == {
        "display": (1600, 1067), "thumbnail": (320, 213)}
    second = upload(c, ikm_id, product_id, png_bytes(), name="katalog.png", position=1).json()
    third = upload(c, ikm_id, product_id, webp_bytes(), name="x.webp").json()
    assert [p["id"] for p in c.call("registry", "GET", base).json()["items"]] == [second["id"], photo["id"],
                                                                                 third["id"]]

    # The bytes served carry no EXIF and no GPS; the files on disk are the service's alone.
    display = c.call("registry", "GET", f"{base}/{photo['id']}/display")
    assert display.status_code == 200 and display.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(display.content))
    assert image.size == (1600, 1067) and not image.getexif() and b"SuiteCam" not in display.content
    photos_dir = c.root / "data" / "photos"
    assert stat.S_IMODE(photos_dir.stat().st_mode) == 0o700
    assert {stat.S_IMODE(f.stat().st_mode) for f in photos_dir.iterdir()} == {0o600}
    assert f"{photo['hash']}-display.jpg" in os.listdir(photos_dir)

    # A PDF named .jpg: 415 naming what it is.
    pdf = upload(c, ikm_id, product_id, pdf_bytes(), name="foto.jpg")
    assert pdf.status_code == 415 and "PDF" in pdf.json()["message"] and "PDF" in pdf.json()["message_en"]
    # A decompression bomb: 422.
    bomb = upload(c, ikm_id, product_id, decompression_bomb(9000, 9000), name="foto.png")
    assert bomb.status_code == 422 and bomb.json()["errors"][0]["field"] == "file"
    # 20 MB: 413, sent as a stream the service refuses while it arrives.
    big = httpx.post(f"{c['registry'].url}{base}", content=chunked_form("besar.jpg", 20 * MB), timeout=60,
                     headers={"Authorization": f"Bearer {c.token()}",
                              "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert big.status_code == 413 and "15 MB" in big.json()["message"]
    # Another IKM's product under this IKM: 404, and nothing is stored for it.
    assert upload(c, ikm_id, other_product, png_bytes()).status_code == 404
    assert c.call("registry", "GET", f"/ikms/{ikm_id}/products/{other_product}/photos").status_code == 404
    assert c.call("registry", "GET", f"/ikms/{other_ikm}/products/{other_product}/photos").json()["total"] == 0

    # Order and deletion; the last photo stays.
    moved = c.call("registry", "PATCH", f"{base}/{third['id']}", json={"position": 1})
    assert moved.status_code == 200 and moved.json()["position"] == 1
    assert c.call("registry", "PATCH", f"{base}/{third['id']}", json={"position": 9}).status_code == 422
    assert c.call("registry", "DELETE", f"{base}/{second['id']}").status_code == 204
    assert c.call("registry", "GET", f"{base}/{second['id']}/display").status_code == 404
    assert [(p["id"], p["position"]) for p in c.call("registry", "GET", base).json()["items"]] == [
        (third["id"], 1), (photo["id"], 2)]
    assert c.call("registry", "DELETE", f"{base}/{third['id']}").status_code == 204
    last = c.call("registry", "DELETE", f"{base}/{photo['id']}")
    assert last.status_code == 409 and last.json()["message"]

    # Eight at most.
    for _ in range(7):
        assert upload(c, ikm_id, product_id, png_bytes(32, 32, "L")).status_code == 201
    assert upload(c, ikm_id, product_id, png_bytes(32, 32, "L")).status_code == 409

    # Not listed: behind a token, for the roles that work with the product.
    url = f"{c['registry'].url}{base}/{photo['id']}/thumbnail"
    assert httpx.get(url).status_code == 401
    assert c.call("registry", "GET", f"{base}/{photo['id']}/thumbnail", user="kurator.made").status_code == 200
    assert c.call("registry", "GET", f"{base}/{photo['id']}/thumbnail", user="operator.wayan").status_code == 403

    # Each change told curation by reference: ids, hashes, sizes and positions, never bytes.
    changes = [e for e in stream_events(c, "product.photos_changed") if e["data"]["product_id"] == product_id]
    assert len(changes) == 3 + 1 + 2 + 7
    latest = changes[-1]["data"]
    assert len(latest["photos"]) == 8 and [p["position"] for p in latest["photos"]] == list(range(1, 9))
    assert latest["photos"][0] == {"photo_id": photo["id"], "hash": photo["hash"], "position": 1,
                                   "sizes": [{"name": "display", "width": 1600, "height": 1067},
                                             {"name": "thumbnail", "width": 320, "height": 213}]}
    assert max(len(json.dumps(e)) for e in changes) < 10_000
