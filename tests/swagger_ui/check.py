"""Swagger UI in a real browser, with no internet: headless Chromium (Debian's `chromium` and
`chromium-driver`, driven by `selenium` from PyPI, pointed at /usr/bin/chromedriver so that it
downloads nothing) loads /swagger-ui/, authorizes with a demo user's token, runs
"Try it out → Execute" on `GET /api/v1/units` with what it pre-fills, and sees the 200.

    BINHDANG_URL=http://127.0.0.1:8080 python3 tests/swagger_ui/check.py   # against serve --demo
"""

import json
import os
import sys
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ.get("BINHDANG_URL", "http://127.0.0.1:8080")


def token() -> str:
    body = json.dumps({"username": "admin", "password": "binhdang-demo"}).encode()
    req = urllib.request.Request(f"{BASE}/api/v1/auth/login", body, {"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as res:
        return json.load(res)["access_token"]


options = webdriver.ChromeOptions()
options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1400,2000"):
    options.add_argument(flag)
driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
wait = WebDriverWait(driver, 30)
try:
    driver.get(f"{BASE}/swagger-ui/")
    wait.until(ready.presence_of_element_located((By.CSS_SELECTOR, ".opblock")))
    title = driver.find_element(By.CSS_SELECTOR, ".info .title").text
    print(f"ok: Swagger UI loaded ({title.splitlines()[0]})")

    driver.find_element(By.CSS_SELECTOR, "button.authorize").click()
    field = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, ".modal-ux input")))
    field.send_keys(token())
    driver.find_element(By.CSS_SELECTOR, ".modal-ux .auth-btn-wrapper button.authorize").click()
    driver.find_element(By.CSS_SELECTOR, ".modal-ux button.btn-done").click()
    print("ok: authorized with the demo admin's token")

    op = wait.until(ready.presence_of_element_located((By.ID, "operations-units-list_units")))
    driver.execute_script("arguments[0].scrollIntoView()", op)
    op.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, "#operations-units-list_units .try-out__btn"))).click()
    wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, "#operations-units-list_units .execute"))).click()
    status = wait.until(
        ready.presence_of_element_located(
            (By.CSS_SELECTOR, "#operations-units-list_units .live-responses-table .response .response-col_status")
        )
    )
    body = driver.find_element(By.CSS_SELECTOR, "#operations-units-list_units .live-responses-table .microlight").text
    if status.text.strip() != "200" or '"data"' not in body:
        sys.exit(f"failed: GET /api/v1/units answered {status.text!r}: {body[:300]}")
    print("ok: Try it out -> Execute on GET /api/v1/units shows 200 with a page of units")
finally:
    driver.quit()
