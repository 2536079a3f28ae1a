"""Drives packtwin view's time cursor in headless Chromium (python3-selenium
with Debian's chromium-driver): drags the cursor slider to AT_S seconds from
the log's start, reads each pack's front panel and state table from the page,
then clicks every finding and one timeline line, and prints what the page
showed as JSON.

usage: view_cursor.py URL AT_S
"""
import json
import sys

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

READ_PANELS = """
const out = {};
for (const panel of document.querySelectorAll('#panels .panel')) {
  const fields = {};
  for (const el of panel.querySelectorAll('[data-field]')) {
    fields[el.dataset.field] = el.dataset.value !== undefined ? el.dataset.value : el.textContent;
  }
  fields.leds = Array.from(panel.querySelectorAll('.led')).map((led) => led.dataset.led).join('');
  out[panel.dataset.node] = fields;
}
return out;
"""


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1600"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def wait_for_state_at(driver, at_s):
    """Until the page has fetched and drawn the state for the cursor at at_s."""
    WebDriverWait(driver, 30).until(lambda d: d.execute_script(
        "const v = window.packtwinView;"
        "return v.stateAt === undefined ? false : v.stateAt === cursorAtText(arguments[0]) && v.cursor_s === arguments[0];",
        at_s))


def main(url, at_s):
    driver = browser()
    try:
        driver.get(url)
        WebDriverWait(driver, 60).until(
            lambda d: d.execute_script("return !!(window.packtwinView && (window.packtwinView.ready || window.packtwinView.error))"))
        page = {"error": driver.execute_script("return window.packtwinView.error || null;")}
        # Drag the cursor: the slider's value changes and it says so, as a user's drag does.
        driver.execute_script(
            "const s = document.getElementById('cursor'); s.value = String(arguments[0]);"
            "s.dispatchEvent(new Event('input', {bubbles: true}));", at_s)
        wait_for_state_at(driver, at_s)
        page["cursor_s"] = driver.execute_script("return window.packtwinView.cursor_s;")
        page["panels"] = driver.execute_script(READ_PANELS)
        page["master"] = driver.execute_script("return window.packtwinView.state.master;")
        # Each finding, clicked: the cursor goes to its time.
        page["findings"] = []
        for element in driver.find_elements(By.CSS_SELECTOR, "#findings .item"):
            element.click()
            index = int(element.get_attribute("data-index"))
            finding_s = float(element.get_attribute("data-t"))
            wait_for_state_at(driver, driver.execute_script("return window.packtwinView.cursor_s;"))
            page["findings"].append({
                "index": index, "finding_s": finding_s,
                "cursor_s": driver.execute_script("return window.packtwinView.cursor_s;"),
                "detail": driver.find_element(By.ID, "finding-detail").text,
                "rule": driver.execute_script("return window.packtwinView.findings[arguments[0]].rule;", index)})
        # A timeline line, clicked: the cursor goes to it and it is the one marked.
        lines = driver.find_elements(By.CSS_SELECTOR, "#timeline .item")
        page["timeline_lines"] = len(lines)
        if lines:
            target = lines[len(lines) // 2]
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", target)
            target.click()
            page["timeline_click"] = {
                "line_s": float(target.get_attribute("data-t")),
                "cursor_s": driver.execute_script("return window.packtwinView.cursor_s;"),
                "marked_is_clicked_or_same_time": driver.execute_script(
                    "const list = document.getElementById('timeline').children; const cur = document.querySelector('#timeline .current');"
                    "return !!cur && Number(cur.dataset.t) === Number(arguments[0].dataset.t);", target)}
        page["console"] = [entry for entry in driver.get_log("browser") if entry.get("level") in ("SEVERE", "WARNING")]
        print(json.dumps(page))
    finally:
        driver.quit()


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
