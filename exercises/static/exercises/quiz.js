// The quiz countdown. The server decides the deadline: the page carries the seconds left at the
// moment it was rendered, and this script only counts them down on the monotonic clock (so a
// wrong or changed system clock cannot add time). It re-syncs with the server every 20 s (an
// instructor may extend the time) and reloads the page when time is up, where the server shows
// the closed quiz. A reload or a second tab reads the same deadline from the server. Its words
// come from the JavaScript catalogue (/jsi18n/, loaded by every page before this script).
(function () {
  "use strict";
  var box = document.getElementById("quiz-clock");
  if (!box) return;
  var out = document.getElementById("quiz-remaining");
  var url = box.getAttribute("data-clock-url");
  var endsAt = performance.now() + 1000 * Number(box.getAttribute("data-remaining"));
  var warned = false;

  function show(seconds) {
    var m = Math.floor(seconds / 60), s = seconds % 60;
    out.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    box.setAttribute("data-left", String(seconds));
    if (seconds <= 60 && !warned) {
      warned = true;
      box.classList.add("countdown-low");
      var note = document.getElementById("quiz-clock-note");
      if (note) note.textContent = gettext("One minute left.");
    }
  }

  function tick() {
    var left = Math.max(0, Math.ceil((endsAt - performance.now()) / 1000));
    show(left);
    if (left <= 0) {
      // A moment's grace so the server's clock has passed the deadline too.
      window.setTimeout(function () { window.location.reload(); }, 1000);
      return;
    }
    window.setTimeout(tick, 250);
  }

  function sync() {
    if (!url) return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return;
        if (data.state !== "running") { window.location.reload(); return; }
        endsAt = performance.now() + 1000 * Number(data.remaining_seconds);
      })
      .catch(function () { /* offline for a moment: keep counting */ });
  }

  tick();
  window.setInterval(sync, 20000);
})();
