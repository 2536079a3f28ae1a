"""Opens packtwin view's page in headless Chromium (Debian's chromium and
chromium-driver through python3-selenium), waits until every plot is drawn,
zooms one plot with the mouse wheel, and prints what the page shows as JSON.

usage: view_browser.py URL SCREENSHOT.png
"""
import json
import sys
import time

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.support.ui import WebDriverWait


def main(url, screenshot):
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1600"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        started = time.monotonic()
        driver.get(url)
        WebDriverWait(driver, 60).until(
            lambda d: d.execute_script("return !!(window.packtwinView && (window.packtwinView.ready || window.packtwinView.error))"))
        drawn_s = time.monotonic() - started
        page = driver.execute_script(
            "const v = window.packtwinView;"
            "return {error: v.error || null, datasets: v.datasets, charts: v.charts.length,"
            "        span_s: (v.info.last_ns - v.info.first_ns) / 1e9, lanes: v.lanes,"
            "        bars: v.charts.filter(c => c.lanes).map(c => c.data.datasets[0].data.length),"
            "        damaged: document.getElementById('damaged').hidden ? null : document.getElementById('damaged').textContent,"
            "        findings: v.findings.length};")
        driver.save_screenshot(screenshot)
        # Zoom in on the first plot where the mouse is; every plot must follow.
        driver.execute_script(
            "const c = window.packtwinView.charts[0].canvas; const r = c.getBoundingClientRect();"
            "c.dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: r.left + r.width / 2,"
            " clientY: r.top + r.height / 2, bubbles: true, cancelable: true}));")
        time.sleep(0.5)
        page["ranges"] = driver.execute_script(
            "return window.packtwinView.charts.map(c => [c.options.scales.x.min, c.options.scales.x.max]);")
        page["console"] = [entry for entry in driver.get_log("browser") if entry.get("level") in ("SEVERE", "WARNING")]
        page["drawn_s"] = drawn_s
        print(json.dumps(page))
    finally:
        driver.quit()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
