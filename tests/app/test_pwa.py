from __future__ import annotations

from fastapi.testclient import TestClient


def test_manifest_is_installable_and_translated(client: TestClient) -> None:
    manifest = client.get("/manifest.webmanifest", headers={"Accept-Language": "zh-CN"})
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["display"] == "standalone" and body["lang"] == "zh-Hans"
    assert {"192x192", "512x512"} <= {icon["sizes"] for icon in body["icons"]}
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200


def test_service_worker_caches_files_that_exist(client: TestClient) -> None:
    worker = client.get("/sw.js")
    assert worker.status_code == 200 and worker.headers["service-worker-allowed"] == "/"
    shell = worker.text.split("SHELL_FILES = [")[1].split("]")[0]
    for path in [p.strip().strip('",') for p in shell.split("\n") if p.strip()]:
        assert client.get(path).status_code == 200, path


def test_htmx_is_served_locally(client: TestClient) -> None:
    page = client.get("/")
    assert '<script src="/vendor/htmx/htmx.min.js"' in page.text
    assert "https://" not in page.text.split("<body")[0]
    assert client.get("/vendor/htmx/htmx.min.js").status_code == 200


def test_privacy_statement_says_video_stays_on_device(client: TestClient) -> None:
    assert "never leaves your device" in client.get("/privacy").text


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/static/app.css", "/no/such/page"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["permissions-policy"].startswith("camera=(self)")
