// Escape in the chat on a council's page (GET /embed; loaded before chat.js). The frame
// cannot close itself: it asks the widget on the council's page (static/widget.js),
// which closes the chat and gives focus back to its launcher button. The message goes
// only to the council's origin, which the server named in data-host and enforced with
// frame-ancestors (bot/web/embed_origins.py); without one, Escape does nothing here.
// Esc twice still leaves (Quick exit): the widget hears the second press, now on its page.
(() => {
  "use strict";
  const host = document.body.dataset.host || "";
  if (!host || window.parent === window) return;
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.isComposing || event.defaultPrevented) return;
    const exit = document.getElementById("quick-exit");
    window.parent.postMessage({ champion: "escape", exit: exit ? exit.href : "" }, host);
  });
})();
