// The kit's play / pause button (anywidget ES module, no build step).
//
// The browser drives the frames: while playing, it keeps `depth` requests
// for a frame ({type: "frame"}) in flight and sends a new one each time the
// kernel says a frame is done ({type: "done"}).  So frames never queue up (a
// slow frame only slows the rate; two in flight hide the websocket's latency
// behind the kernel's work), and Play shows a frame at once.  On Pause it
// tells the app's picture (a "kit-pause" DOM event with the frames still in
// flight) so that a picture drawn in the browser shows only the last of them.

export default {
  render({ model, el }) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kit-player jupyter-button widget-button";
    button.style.minWidth = "7em";
    let inflight = 0;
    let watchdog = null;

    function label() {
      const playing = model.get("playing");
      button.textContent = playing ? "⏸ pause" : "▶ play";
      button.title = playing ? "stop training after this frame" : "train frame after frame";
      button.classList.toggle("kit-play", !playing);
      button.classList.toggle("kit-pause", playing);
      button.setAttribute("aria-pressed", playing ? "true" : "false");
    }

    function request() {
      while (model.get("playing") && inflight < Math.max(1, model.get("depth") || 1)) {
        inflight += 1;
        model.send({ type: "frame" });
      }
      clearTimeout(watchdog);
      if (inflight) watchdog = setTimeout(() => { inflight = 0; request(); }, 10000);  // a lost answer does not stop play
    }

    button.addEventListener("click", () => {
      const playing = !model.get("playing");
      model.set("playing", playing);
      model.save_changes();
      el.dispatchEvent(new CustomEvent(playing ? "kit-play" : "kit-pause", { bubbles: true, detail: { inflight } }));
      label();
      request();
    });
    model.on("change:playing", () => { label(); request(); });
    model.on("msg:custom", (msg) => {
      if (msg && msg.type === "done") {
        inflight = Math.max(0, inflight - 1);
        request();
      }
    });
    label();
    el.appendChild(button);
    return () => clearTimeout(watchdog);
  },
};
