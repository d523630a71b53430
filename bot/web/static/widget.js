// Champion on a council's own page. One line does it:
//   <script src="https://champion.example.org/widget.js" data-council="Leeds" async></script>
// It draws a launcher button; pressing it opens the chat in a frame (GET /embed).
// Attributes: data-council (a council's name or alias), data-colour (#rgb or #rrggbb),
// data-title (cut to 60 characters). Bad values are ignored or cut, and a problem a
// web editor can fix (an unknown council, a site not allowed to frame the chat) is
// written to the browser's console. Everything lives in a shadow root and is styled
// through the CSS object model, so neither the page's styles nor its CSP get in the way.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || !script.src || window.championWidgetLoaded) return;
  window.championWidgetLoaded = true;

  const base = new URL(script.src, location.href).origin;
  const data = script.dataset;
  const DEFAULT_COLOUR = "#4b2a84"; // the chat's own purple
  const MAX_TITLE = 60;

  function warn(message) {
    if (window.console) console.warn("Champion widget: " + message);
  }

  function cleanColour(value) {
    const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec((value || "").trim());
    if (!match) return null;
    const digits = match[1].length === 3 ? match[1].replace(/./g, "$&$&") : match[1];
    return "#" + digits.toLowerCase();
  }

  // WCAG relative luminance and contrast; black or white, whichever reads better,
  // always reaches 4.5:1 (bot/web/embed_colours.py does the same sum for the frame).
  function luminance(colour) {
    const [r, g, b] = [1, 3, 5].map((i) => {
      const c = parseInt(colour.slice(i, i + 2), 16) / 255;
      return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function inkOn(colour) {
    const l = luminance(colour);
    return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  }

  function cleanTitle(value) {
    const words = (value || "").replace(/\s+/g, " ").trim();
    if (words.length <= MAX_TITLE) return words;
    warn("data-title is longer than " + MAX_TITLE + " characters, so it has been cut.");
    return words.slice(0, MAX_TITLE - 1).trimEnd() + "…";
  }

  const council = (data.council || "").trim().slice(0, 80);
  let colour = cleanColour(data.colour);
  if (data.colour && !colour) warn('data-colour "' + data.colour + '" is not a colour like #1d70b8, so the default is used.');
  colour = colour || DEFAULT_COLOUR;
  const ink = inkOn(colour);
  const title = cleanTitle(data.title);
  const origin = location.origin && location.origin !== "null" ? location.origin : "";

  // Tell the page's web editor what the server makes of this snippet.
  if (window.fetch) {
    const query = new URLSearchParams({ council, origin });
    fetch(base + "/embed/check?" + query, { credentials: "omit" })
      .then((response) => (response.ok ? response.json() : null))
      .then((found) => {
        if (!found) return;
        if (council && !found.council) {
          warn('data-council "' + council + '" is not a council Champion knows, so the chat will ask parents for their council. Use its name, like "Leeds".');
        }
        if (!found.framing) {
          warn("this site (" + (origin || "no origin") + ") is not in EMBED_ALLOWED_ORIGINS on the Champion server, so the chat cannot open here.");
        } else if (found.council && !found.preset) {
          warn('this site may not preset the council "' + found.council + '" (EMBED_ALLOWED_ORIGINS ties it to another site), so the chat will ask parents for their council.');
        }
      })
      .catch(() => { /* the page's own CSP may forbid the check: the chat still works */ });
  }

  const STYLE = [
    ":host { all: initial; }",
    ".launcher { position: fixed; right: 1rem; bottom: 1rem; z-index: 2147483000; min-height: 48px;",
    "  padding: .7rem 1.1rem; border-radius: 1.5rem; border: 2px solid " + ink + "; background: " + colour + ";",
    "  color: " + ink + "; font: 700 16px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif;",
    "  cursor: pointer; box-shadow: 0 2px 8px rgba(0, 0, 0, .35); }",
    ".launcher:hover { text-decoration: underline; }",
    "button:focus-visible { outline: 3px solid #0b0c0c; outline-offset: 0; box-shadow: 0 0 0 6px #ffbf47; }",
    ".panel { position: fixed; right: 1rem; bottom: 5rem; z-index: 2147483000; display: flex; flex-direction: column;",
    "  width: 400px; max-width: calc(100vw - 2rem); height: 640px; max-height: calc(100vh - 7rem);",
    "  background: #ffffff; border: 2px solid #0b0c0c; border-radius: .75rem; overflow: hidden;",
    "  box-shadow: 0 4px 18px rgba(0, 0, 0, .4); }",
    ".panel[hidden] { display: none; }",
    ".bar { display: flex; justify-content: flex-end; background: #ffffff; padding: 2px; }",
    ".close { min-height: 40px; padding: .3rem .8rem; border: 2px solid #0b0c0c; border-radius: .5rem; background: #ffffff;",
    "  color: #0b0c0c; font: 600 15px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif; cursor: pointer; }",
    "iframe { flex: 1; width: 100%; border: 0; }",
    "@media (max-width: 30rem), (max-height: 34rem) {",
    "  .panel { inset: 0; width: 100%; max-width: none; height: 100%; max-height: none; border-radius: 0; border: 0; }",
    "  .panel:not([hidden]) + .launcher { display: none; }",
    "}",
  ].join("\n");

  const host = document.createElement("div");
  host.id = "champion-chat-widget";
  const root = host.attachShadow({ mode: "open" });
  if ("adoptedStyleSheets" in root && window.CSSStyleSheet && CSSStyleSheet.prototype.replaceSync) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement("style");
    style.textContent = STYLE;
    root.appendChild(style);
  }

  const panel = document.createElement("div");
  panel.className = "panel";
  panel.id = "champion-chat-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", title || "Champion chat");
  const bar = document.createElement("div");
  bar.className = "bar";
  const close = document.createElement("button");
  close.type = "button";
  close.className = "close";
  close.textContent = "Close chat";
  bar.appendChild(close);
  panel.appendChild(bar);

  const launcher = document.createElement("button");
  launcher.type = "button";
  launcher.className = "launcher";
  launcher.textContent = title || "Chat with Champion";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", panel.id);
  root.append(panel, launcher);

  let frame = null;
  let escapedAt = 0; // when Escape last closed the chat (see escaped() below)
  function chatAddress() {
    const query = new URLSearchParams();
    if (origin) query.set("origin", origin); // why the server believes it: bot/web/embed_origins.py
    if (council) query.set("council", council);
    if (data.colour) query.set("colour", colour);
    if (title) query.set("title", title);
    return base + "/embed?" + query;
  }

  function open() {
    if (!frame) {
      // Made on first open, so the page loads no chat until a parent asks for it; kept
      // afterwards, so closing and opening again loses nothing.
      frame = document.createElement("iframe");
      frame.title = title || "Champion chat";
      frame.setAttribute("allow", "clipboard-write"); // "Copy letter"
      frame.referrerPolicy = "no-referrer";
      frame.src = chatAddress();
      panel.appendChild(frame);
    }
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    frame.focus();
  }

  function shut() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  // A browser that blocks third-party cookies may refuse the chat's frame any storage;
  // then the frame keeps its session here, in this tab only (static/embed_storage.js).
  const KEPT = "champion-chat";
  function kept() {
    try { return JSON.parse(sessionStorage.getItem(KEPT) || "{}"); } catch (error) { return {}; }
  }
  window.addEventListener("message", (event) => {
    if (!frame || event.source !== frame.contentWindow || event.origin !== base) return;
    const message = event.data || {};
    if (message.champion === "load") {
      frame.contentWindow.postMessage({ champion: "stored", items: kept() }, base);
    } else if (message.champion === "save" && message.items && typeof message.items === "object") {
      try { sessionStorage.setItem(KEPT, JSON.stringify(message.items)); } catch (error) { /* private mode */ }
    } else if (message.champion === "escape" && !panel.hidden) {
      escaped(message.exit); // Escape pressed in the chat (static/embed_keys.js)
    }
  });

  // Escape closes the chat and gives focus back to the launcher, from the frame (above)
  // or from the panel's own button. A second Escape straight after leaves the page, as
  // Esc twice does in the chat itself ("Quick exit"): by then focus is on this page.
  const NEUTRAL = "https://www.bbc.co.uk/weather"; // the chat's own Quick exit link
  const TWICE_MS = 1500; // as static/chat.js
  let away = NEUTRAL;
  function escaped(exit) {
    try { away = new URL(exit).protocol === "https:" ? exit : NEUTRAL; } catch (error) { away = NEUTRAL; }
    escapedAt = Date.now();
    shut();
  }
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || event.isComposing) return;
    if (Date.now() - escapedAt < TWICE_MS) {
      panel.hidden = true;
      location.replace(away);
    } else if (!panel.hidden && event.composedPath().includes(host)) {
      escaped(NEUTRAL);
    }
  });

  launcher.addEventListener("click", () => (panel.hidden ? open() : shut()));
  close.addEventListener("click", shut);

  function place() { document.body.appendChild(host); }
  if (document.body) place();
  else document.addEventListener("DOMContentLoaded", place);
})();
