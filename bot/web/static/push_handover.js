// The chat opened from a council's frame to set up notifications (loaded before
// chat.js). Browsers don't ask about notifications inside a frame, so the framed chat
// (static/push.js) opens the chat's own page as "/#notifications" and hands it this
// conversation's session by postMessage: only between windows of the chat's own
// origin, never in a URL. chat.js waits for `championStorage.ready` before it starts,
// so it opens the handed-over conversation rather than a new one.
(() => {
  "use strict";
  if (location.hash !== "#notifications" || !window.opener || window.championStorage) return;
  const SESSION_KEY = "champion-session";
  const TOKEN_KEY = SESSION_KEY + "-token";
  const opener = window.opener;
  history.replaceState(null, "", location.pathname + location.search); // not kept on reload
  const ready = new Promise((resolve) => {
    const timer = setTimeout(resolve, 3000); // no answer: this browser's own chat, as ever
    window.addEventListener("message", (event) => {
      if (event.source !== opener || event.origin !== location.origin) return;
      const data = event.data;
      if (!data || data.champion !== "push-handover") return;
      if (typeof data.session === "string" && /^[A-Za-z0-9_-]{8,128}$/.test(data.session) &&
          typeof data.token === "string" && data.token.length <= 256) {
        window.localStorage.setItem(SESSION_KEY, data.session);
        window.localStorage.setItem(TOKEN_KEY, data.token);
      }
      clearTimeout(timer);
      resolve();
    });
    opener.postMessage({ champion: "push-handover-ready" }, location.origin);
  });
  window.championStorage = { store: window.localStorage, ready };
})();
