"""The explorer in a real JupyterLab: run the notebook, move a control, see the picture change."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

IMG = ".kit-app img"

_IMG_READY = """(sel) => {
  const img = document.querySelector(sel);
  return !!(img && img.complete && img.naturalWidth > 100);
}"""

_IMG_CHANGED = """([sel, old]) => {
  const img = document.querySelector(sel);
  return !!(img && img.src !== old && img.complete && img.naturalWidth > 100);
}"""


def test_explorer_control_changes_rendered_image(notebooks):
    page = notebooks(["import kit.widgets\napp = kit.widgets.explorer('relu')\napp"], name="explorer.ipynb")
    assert notebooks.errors(page) == [] and notebooks.stderr(page) == []
    app = page.locator(".kit-app").first
    app.wait_for(state="visible", timeout=60_000)
    page.wait_for_function(_IMG_READY, arg=IMG, timeout=60_000)
    assert "used (left)" in app.inner_text()
    before_src = page.locator(IMG).first.get_attribute("src")
    before_png = page.locator(IMG).first.screenshot()
    notebooks.screenshot(app, "explorer-left")

    # the second <select> of the app is the kink-rule picker
    kink = app.locator("select").nth(1)
    assert "mean" in kink.locator("option").all_inner_texts()
    kink.select_option("mean")

    page.wait_for_function(_IMG_CHANGED, arg=[IMG, before_src], timeout=60_000)
    page.wait_for_function("(el) => el.innerText.includes('used (mean)')", arg=app.element_handle(), timeout=30_000)
    after_png = page.locator(IMG).first.screenshot()
    assert after_png != before_png
    assert "⚠" not in app.inner_text()
    notebooks.screenshot(app, "explorer-mean")


ALL_APPS = [
    "import kit.widgets",
    "explorer = kit.widgets.explorer('relu', kink='mean')\nexplorer",
    "descent = kit.widgets.descent('relu', steps=8)\ndescent",
    "dead = kit.widgets.dead_units(lr=2.0)\ndead.run(5)\ndead",
    "sat = kit.widgets.saturation()\nsat.run(5)\nsat",
    "play = kit.widgets.playground(dataset='spiral', hidden=[8, 8], optimizer='adam', lr=0.03)\nplay.run(10)\nplay",
]


def test_every_app_renders_and_a_button_click_trains(notebooks):
    page = notebooks(ALL_APPS, name="apps.ipynb")
    assert notebooks.errors(page) == []
    assert notebooks.stderr(page) == []  # no warnings leak into the notebook
    notebooks.wait_for_apps(page, 5, timeout_ms=90_000)
    apps = page.locator(".kit-app")
    assert apps.count() == 5
    for i, name in enumerate(["explorer", "descent", "dead_units", "saturation", "playground"]):
        app = apps.nth(i)
        app.scroll_into_view_if_needed()
        # an error inside an app starts with ⚠; so does the warning that units died (the dead-units app's point)
        assert not [line for line in app.inner_text().splitlines() if "⚠" in line and "died while training" not in line]
        notebooks.screenshot(app, f"app-{name}")
    playground = apps.nth(4)
    canvas = playground.locator("canvas[data-frame]")
    assert canvas.get_attribute("data-step") == "100"  # run(10) frames of 10 steps each
    frame = canvas.get_attribute("data-frame")
    playground.get_by_role("button", name="step").click()
    page.wait_for_function("([c, f]) => c.dataset.frame !== f && c.dataset.step === '110'",
                           arg=[canvas.element_handle(), frame], timeout=30_000)
