"""Every app in a real JupyterLab: every control moved and the picture checked to change, a unit dying in
the playground's network view when the learning rate is raised, and the one-screen layouts.

Screenshots of each app at 1024×768 and 1920×1080 are saved under ``$KIT_SCREENSHOT_DIR``.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

APPS = [
    "import kit.widgets",
    "explorer = kit.widgets.explorer('leaky_relu')\nexplorer",
    "descent = kit.widgets.descent('relu', mode='unit')\ndescent",
    "dead = kit.widgets.dead_units(n=200, hidden=[8, 8])\ndead",
    "sat = kit.widgets.saturation(n=200)\nsat",
    "play = kit.widgets.playground(n=200, hidden=[4, 4], optimizer='sgd', lr=0.05)\nplay",
]
NAMES = ["explorer", "descent", "dead_units", "saturation", "playground"]

# a picture's identity now: the img's src, or the canvas's frame counter
PICTURE = """(i) => {
  const a = document.querySelectorAll('.kit-app')[i];
  const img = a.querySelector('img'), cv = a.querySelector('canvas[data-frame]');
  const table = a.querySelector('.widget-htmlmath');  // the explorer's kinks table beside its picture
  return (img ? img.src : cv.dataset.frame) + (table ? table.textContent : '');
}"""

# every control of app i, as [kind, index, label]: what a user can move
CONTROLS = """(i) => {
  const a = document.querySelectorAll('.kit-app')[i];
  const out = [];
  const label = (el) => {
    const box = el.closest('.widget-inline-hbox, .widget-box, .widget-hslider, .widget-dropdown, .widget-checkbox');
    const lab = box && box.querySelector('label');
    return (el.getAttribute('aria-label') || el.title || (lab && lab.textContent) || el.textContent || '').trim();
  };
  a.querySelectorAll('select').forEach((el, k) => { if (!el.disabled) out.push(['select', k, label(el)]); });
  a.querySelectorAll('.widget-slider, .widget-hslider').forEach((el, k) => {
    if (!el.querySelector('.noUi-target[disabled]') && !el.classList.contains('mod-disabled'))
      out.push(['slider', k, (el.querySelector('label') || {}).textContent || '']);
  });
  a.querySelectorAll('input[type=checkbox]').forEach((el, k) => { if (!el.disabled) out.push(['checkbox', k, label(el)]); });
  const buttons = [];
  a.querySelectorAll('button').forEach((el, k) => {
    if (!el.disabled && !el.classList.contains('kit-player')) buttons.push(['button', k, label(el)]);
  });
  // features: switch the others on first, so that switching x1 and x2 off leaves the network inputs
  const rank = (c) => (c[2].endsWith('(off)') ? 0 : c[2].endsWith('(on)') ? 1 : 2);
  buttons.sort((p, q) => rank(p) - rank(q));
  return out.concat(buttons);
}"""

MOVE = """([i, kind, k]) => {
  const a = document.querySelectorAll('.kit-app')[i];
  const all = {select: 'select', checkbox: 'input[type=checkbox]', button: 'button',
               slider: '.widget-slider, .widget-hslider'};
  const el = a.querySelectorAll(all[kind])[k];
  if (!el || el.disabled) return false;  // remade by an earlier control (new layers, new parameters)
  if (kind === 'select') {
    const el = a.querySelectorAll('select')[k];
    el.selectedIndex = (el.selectedIndex + 1) % el.options.length;
    el.dispatchEvent(new Event('change', {bubbles: true}));
  } else if (kind === 'checkbox') {
    a.querySelectorAll('input[type=checkbox]')[k].click();
  } else if (kind === 'button') {
    a.querySelectorAll('button')[k].click();
  } else {
    const box = a.querySelectorAll('.widget-slider, .widget-hslider')[k];
    const h = box.querySelector('.noUi-handle');
    const atMax = Number(h.getAttribute('aria-valuenow')) >= Number(h.getAttribute('aria-valuemax'));
    const [key, code] = atMax ? ['ArrowLeft', 37] : ['ArrowRight', 39];
    h.focus();
    h.dispatchEvent(new KeyboardEvent('keydown', {key, keyCode: code, bubbles: true}));
    h.dispatchEvent(new KeyboardEvent('keydown', {key, keyCode: code, bubbles: true}));
    h.dispatchEvent(new KeyboardEvent('keyup', {key, keyCode: code, bubbles: true}));
  }
  return true;
}"""

CLICK_STEP = """(i) => Array.from(document.querySelectorAll('.kit-app')[i].querySelectorAll('button'))
  .find(b => b.textContent.trim() === 'step').click()"""

# moving these may leave the picture as it was: frames per Play, a t slider while the rule is not "t"
SAME_PICTURE_OK = ("steps/frame", "t")
# and these never change it: a training app's learning rate is for the frames to come (training goes on)
FOR_LATER = ("learning rate",)


def _ready(notebooks, viewport=(1500, 1100)):
    page = notebooks(APPS, name="apps-every-control.ipynb")
    page.set_viewport_size({"width": viewport[0], "height": viewport[1]})
    assert notebooks.errors(page) == [] and notebooks.stderr(page) == []
    notebooks.wait_for_apps(page, len(NAMES))
    return page


def test_every_control_of_every_app_changes_the_picture(notebooks):
    page = _ready(notebooks)
    unchanged, errors = [], []
    for i, name in enumerate(NAMES):
        controls = page.evaluate(CONTROLS, i)
        assert len(controls) >= 5, (name, controls)
        training = name in ("dead_units", "saturation", "playground")
        for kind, k, label in controls:
            if training and label != "reset":  # train a frame first, so that a restart at step 0 shows
                before = page.evaluate(PICTURE, i)
                page.evaluate(CLICK_STEP, i)
                page.wait_for_function("([i, old]) => (" + PICTURE + ")(i) !== old", arg=[i, before],
                                       timeout=30_000)
            before = page.evaluate(PICTURE, i)
            if not page.evaluate(MOVE, [i, kind, k]):
                continue
            if training and label in FOR_LATER:
                continue
            try:
                page.wait_for_function("([i, old]) => (" + PICTURE + ")(i) !== old", arg=[i, before],
                                       timeout=30_000)
            except Exception:
                if label not in SAME_PICTURE_OK:
                    unchanged.append(f"{name}: {kind} {label!r}")
            text = page.locator(".kit-app").nth(i).inner_text()
            if "⚠" in text and "died while training" not in text and "STOPPED" not in text:
                errors.append(f"{name}: {kind} {label!r}: {text[:300]}")
        notebooks.screenshot(page.locator(".kit-app").nth(i), f"controls-{name}")
    assert not unchanged, unchanged
    assert not errors, errors
    assert notebooks.errors(page) == []


def test_the_network_view_shows_a_unit_die_when_the_learning_rate_is_raised(notebooks):
    page = notebooks(["import kit.widgets\nplay = kit.widgets.playground(n=200, hidden=[8, 8], optimizer='sgd', "
                      "lr=0.05)\nplay"], name="dying.ipynb")
    canvas = page.locator(".kit-app canvas[data-frame]")
    canvas.wait_for(timeout=60_000)
    app = page.locator(".kit-app")
    app.get_by_role("button", name="step").click()
    page.wait_for_function("(c) => Number(c.dataset.step) >= 10", arg=canvas.element_handle(), timeout=30_000)
    assert canvas.get_attribute("data-dead") == "0"
    notebooks.screenshot(app, "playground-alive")
    readout = app.locator(".widget-slider", has_text="learning rate").locator(".widget-readout")
    state = app.locator(".widget-text", has_text="state").locator("input")
    before = state.input_value()
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("8")
    page.keyboard.press("Enter")
    # the kernel took the new rate (the state string says so) and the run goes on at it, as in TensorFlow
    # Playground: the step count is kept
    page.wait_for_function("([e, old]) => e.value !== old", arg=[state.element_handle(), before], timeout=30_000)
    assert int(canvas.get_attribute("data-step")) >= 10
    for _ in range(15):
        app.get_by_role("button", name="step").click()
        page.wait_for_timeout(400)
        if int(canvas.get_attribute("data-dead")) > 0:
            break
    assert int(canvas.get_attribute("data-dead")) > 0
    assert "died while training" in app.inner_text()
    notebooks.screenshot(app, "playground-dead-unit")
    # click a unit: its pre-activation histogram is drawn (the frame counter moves)
    frame = canvas.get_attribute("data-frame")
    app.get_by_role("button", name="layer 1 unit 1").click()
    page.wait_for_function("([c, f]) => c.dataset.frame !== f", arg=[canvas.element_handle(), frame], timeout=30_000)
    notebooks.screenshot(app, "playground-selected-unit")


def test_play_and_pause_are_driven_by_the_browser(notebooks):
    page = notebooks(["import kit.widgets\nplay = kit.widgets.playground(n=300, hidden=[8, 8])\nplay"],
                     name="play.ipynb")
    canvas = page.locator(".kit-app canvas[data-frame]")
    canvas.wait_for(timeout=60_000)
    page.locator(".kit-play").click()
    page.wait_for_function("(c) => Number(c.dataset.step) >= 50", arg=canvas.element_handle(), timeout=60_000)
    page.locator(".kit-pause").click()
    page.wait_for_timeout(1500)
    step = canvas.get_attribute("data-step")
    page.wait_for_timeout(1500)
    assert canvas.get_attribute("data-step") == step  # stopped
    assert page.locator(".kit-play").count() == 1


@pytest.mark.parametrize("viewport", [(1024, 768), (1920, 1080)], ids=["1024x768", "1920x1080"])
def test_apps_fit_one_screen(notebooks, viewport):
    page = _ready(notebooks, viewport)
    page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")
    page.wait_for_timeout(1000)
    w, h = viewport
    for i, name in enumerate(NAMES):
        app = page.locator(".kit-app").nth(i)
        page.evaluate("(i) => document.querySelectorAll('.kit-app')[i].scrollIntoView({block: 'start'})", i)
        page.wait_for_timeout(600)
        box = app.bounding_box()
        notebooks.screenshot(page, f"screen-{name}-{w}x{h}")
        tracks = page.evaluate("""(i) => Array.from(document.querySelectorAll('.kit-app')[i]
            .querySelectorAll('.noUi-target')).map(t => t.getBoundingClientRect().width)""", i)
        assert min(tracks) >= 40, (name, tracks)  # a slider track one can aim at
        if name == "playground":
            controls = page.evaluate("""(i) => Math.max(...Array.from(document.querySelectorAll('.kit-app')[i]
                .querySelectorAll('.widget-dropdown, .widget-slider, .widget-checkbox, .widget-text'))
                .map(e => e.getBoundingClientRect().bottom))""", i)
            canvas = page.evaluate("""(i) => document.querySelectorAll('.kit-app')[i]
                .querySelector('canvas').getBoundingClientRect().bottom""", i)
            assert controls <= h and canvas <= h, (name, controls, canvas, h)  # controls, network, loss curve
        if w >= 1920:
            assert box["y"] + box["height"] <= h + 1 and box["x"] + box["width"] <= w + 1, (name, box)
