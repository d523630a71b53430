// Where the chat keeps its session in a council's page (GET /embed; loaded before chat.js).
// The frame's own localStorage when the browser allows it (partitioned by the council's
// site). A browser that blocks third-party cookies may refuse a third-party frame any
// storage at all (Chromium does: "Access is denied for this document"); then the session
// lives in the widget on the council's page (static/widget.js keeps it in that tab's
// sessionStorage, so it survives a reload and ends with the tab), passed by postMessage
// only to and from the council's origin, which the server named in data-host and
// enforced with frame-ancestors (bot/web/embed_origins.py).
(() => {
  "use strict";
  function usable(storage) {
    try {
      storage.setItem("champion-probe", "1");
      storage.removeItem("champion-probe");
      return true;
    } catch (error) {
      return false;
    }
  }
  let own = null;
  try { own = window.localStorage; } catch (error) { own = null; }
  if (own && usable(own)) {
    window.championStorage = { store: own, ready: Promise.resolve() };
    return;
  }

  const host = document.body.dataset.host || "";
  const items = new Map();
  function save() {
    if (host) window.parent.postMessage({ champion: "save", items: Object.fromEntries(items) }, host);
  }
  const store = {
    getItem: (key) => (items.has(key) ? items.get(key) : null),
    setItem: (key, value) => { items.set(key, String(value)); save(); },
    removeItem: (key) => { items.delete(key); save(); },
  };
  let ready = Promise.resolve(); // without a known host: kept in memory for this visit only
  if (host && window.parent !== window) {
    ready = new Promise((resolve) => {
      const timer = setTimeout(resolve, 1500); // a widget that never answers: start afresh
      window.addEventListener("message", (event) => {
        if (event.source !== window.parent || event.origin !== host) return;
        const data = event.data;
        if (!data || data.champion !== "stored" || typeof data.items !== "object") return;
        for (const [key, value] of Object.entries(data.items || {})) {
          if (typeof value === "string") items.set(key, value);
        }
        clearTimeout(timer);
        resolve();
      });
      window.parent.postMessage({ champion: "load" }, host);
    });
  }
  window.championStorage = { store, ready };
})();
