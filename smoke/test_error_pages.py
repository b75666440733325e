"""Under production settings (gunicorn, the static manifest, HTTPS behind the proxy) a refused
form and a refused request get Nyth's own translated pages, with the hashed stylesheet."""

from __future__ import annotations

import requests

from smoke.support import HASHED_CSS, REQUEST_TIMEOUT, Browser


def test_a_form_without_its_token_gets_the_translated_csrf_page(server):
    for language, heading in (("en", "Your form could not be sent"), ("cy", "Nid oedd modd anfon eich ffurflen")):
        browser = Browser(server.url)
        path = f"/{language}/account/sign-in/"
        assert browser.get(path).status == 200  # the CSRF cookie is set
        refused = browser.request("POST", path, data={"username": "nobody", "password": "not a password"})
        assert refused.status == 403
        assert heading in refused.text and f'lang="{language}"' in refused.text
        assert "CSRF verification failed" not in refused.text
        assert HASHED_CSS.search(refused.text), "the error page must use the manifest's hashed stylesheet"
        # The way back is our own form, over HTTPS as the browser saw it.
        assert f'href="{browser.public_origin}{path}"' in refused.text


def test_a_foreign_host_gets_the_translated_400_page(server):
    response = requests.get(
        f"{server.url}/cy/", headers={"Host": "evil.example", "X-Forwarded-Proto": "https"}, timeout=REQUEST_TIMEOUT
    )
    assert response.status_code == 400
    assert "Mae'n ddrwg gennym, nid oedd modd delio â'r cais hwn" in response.text
    assert HASHED_CSS.search(response.text)
