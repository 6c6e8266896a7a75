// The kit's play / pause button (anywidget ES module, no build step).
//
// The browser drives the frames: while playing, it asks the kernel for one
// frame ({type: "frame"}) and asks for the next only when the kernel says the
// frame is done ({type: "done"}) and the browser has painted.  So frames
// never queue up (a slow frame only slows the rate), Play shows a frame at
// once, and Pause stops after at most the one frame in flight.

export default {
  render({ model, el }) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "kit-player jupyter-button widget-button";
    button.style.minWidth = "7em";
    let inflight = false;
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
      if (!model.get("playing") || inflight) return;
      inflight = true;
      clearTimeout(watchdog);
      watchdog = setTimeout(() => { inflight = false; request(); }, 10000);  // a lost answer does not stop play
      model.send({ type: "frame" });
    }

    button.addEventListener("click", () => {
      model.set("playing", !model.get("playing"));
      model.save_changes();
      label();
      request();
    });
    model.on("change:playing", () => { label(); request(); });
    model.on("msg:custom", (msg) => {
      if (msg && msg.type === "done") {
        inflight = false;
        clearTimeout(watchdog);
        if (model.get("playing")) requestAnimationFrame(request);
      }
    });
    label();
    el.appendChild(button);
    return () => clearTimeout(watchdog);
  },
};
