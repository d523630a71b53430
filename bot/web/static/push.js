// "Tell me when a Parent Champion replies": Web Push for the chat page (issue #17).
// Offered during a hand-off, or while a reminder is to come, when the server has VAPID
// keys (GET /api/chat/push says)
// and the browser can show notifications. In a council's frame browsers don't ask
// for permission, so there the chat offers e-mail (flows/champion.yml) and a button
// that opens the chat's own page in a new tab with this conversation
// (static/push_handover.js), where notifications can be turned on.
// The subscription goes to POST /api/chat/push with the chat's secret in a header,
// as every chat request does; "Stop notifications" is DELETE /api/chat/push.
(() => {
  "use strict";
  const panel = document.getElementById("push-panel");
  const onButton = document.getElementById("push-on");
  const offButton = document.getElementById("push-off");
  const openButton = document.getElementById("push-open");
  const note = document.getElementById("push-note");
  const log = document.getElementById("log");
  if (!panel || !onButton || !offButton || !openButton || !note || !log) return;
  if (document.body.dataset.api) return; // the admin's preview of draft content
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;
  const embedded = document.body.classList.contains("embedded") || window.top !== window.self;

  const API = "/api/chat/push";
  // Where chat.js keeps the chat's session and secret (in a frame: embed_storage.js).
  const SESSION_KEY = "champion-session";
  const TOKEN_KEY = SESSION_KEY + "-token";
  const storage = window.championStorage ? window.championStorage.store : window.localStorage;
  const storageReady = window.championStorage ? window.championStorage.ready : Promise.resolve();
  const WORDS = {
    asking: "Asking your browser…",
    done: "Done: this browser will tell you when a Parent Champion replies or a reminder arrives, even if you close this page. It won't show what they wrote.",
    blocked: "Your browser is blocking notifications from this site. You can allow them in the browser's settings for this site, or keep this page open.",
    failed: "Sorry, this browser couldn't turn notifications on. A Parent Champion will still reply here in this chat.",
    off: "Notifications are off in this browser.",
    opened: "The chat is open in a new tab, with this conversation. Turn on notifications there.",
    popup: "Your browser stopped the new tab from opening. You can allow pop-ups for this site, or ask for an e-mail instead.",
  };
  // The button says what the notifications are for: a champion's replies in a
  // hand-off, or a reminder the parent asked for (chat.html has the first).
  const LABELS = {
    replies: onButton.textContent,
    reminders: "Send my reminders to this browser",
  };
  let state = null;

  function headers(extra) {
    const token = storage.getItem(TOKEN_KEY);
    return Object.assign(token ? { Authorization: "Bearer " + token } : {}, extra || {});
  }

  function say(text) { note.textContent = text; }

  function render() {
    const shown = Boolean(state && (state.offer || state.on));
    panel.hidden = !shown;
    onButton.hidden = !shown || state.on || embedded;
    onButton.textContent = LABELS[(state && state.about) || "replies"] || LABELS.replies;
    openButton.hidden = !shown || state.on || !embedded;
    offButton.hidden = !shown || !state.on;
  }

  let checking = false;
  async function check() {
    if (checking || !storage.getItem(TOKEN_KEY)) return;
    checking = true;
    try {
      const response = await fetch(API, { headers: headers() });
      if (response.ok) {
        state = await response.json();
        render();
      }
    } catch (error) { /* offline for a moment: checked again with the next message */ }
    finally { checking = false; }
  }

  // The VAPID public key (base64url) as the bytes pushManager.subscribe wants.
  function keyBytes(key) {
    const padded = (key + "===".slice((key.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  }

  function sameKey(subscription, key) {
    const held = subscription.options && subscription.options.applicationServerKey;
    if (!held) return false;
    const a = new Uint8Array(held);
    const b = keyBytes(key);
    return a.length === b.length && a.every((byte, i) => byte === b[i]);
  }

  async function detailOf(response) {
    const data = await response.json().catch(() => ({}));
    if (data.detail) return data.detail;
    if (data.replies && data.replies.length) return data.replies[0].text;
    return WORDS.failed;
  }

  async function turnOn() {
    onButton.disabled = true;
    say(WORDS.asking);
    try {
      const permission = await Notification.requestPermission();
      if (permission !== "granted") { say(WORDS.blocked); return; }
      const registration = await navigator.serviceWorker.register("/push-worker.js", { scope: "/" });
      await navigator.serviceWorker.ready;
      let subscription = await registration.pushManager.getSubscription();
      if (subscription && !sameKey(subscription, state.key)) {
        await subscription.unsubscribe(); // made with an older key: useless now
        subscription = null;
      }
      if (!subscription) {
        subscription = await registration.pushManager.subscribe({
          userVisibleOnly: true,
          applicationServerKey: keyBytes(state.key),
        });
      }
      const response = await fetch(API, {
        method: "POST",
        headers: headers({ "Content-Type": "application/json" }),
        body: JSON.stringify(subscription.toJSON()),
      });
      if (!response.ok) { say(await detailOf(response)); return; }
      state.on = true;
      render();
      say(WORDS.done);
      offButton.focus();
    } catch (error) {
      say(WORDS.failed);
    } finally {
      onButton.disabled = false;
    }
  }

  async function turnOff() {
    offButton.disabled = true;
    try {
      const registration = await navigator.serviceWorker.getRegistration("/");
      const subscription = registration ? await registration.pushManager.getSubscription() : null;
      // This browser's subscription; a page that has lost its own stops them all.
      const body = subscription ? { endpoint: subscription.endpoint } : {};
      const response = await fetch(API, {
        method: "DELETE",
        headers: headers({ "Content-Type": "application/json" }),
        body: JSON.stringify(body),
      });
      if (!response.ok) { say(await detailOf(response)); return; }
      if (subscription) await subscription.unsubscribe().catch(() => false);
      state.on = (await response.json()).on;
      render();
      say(WORDS.off);
      if (!onButton.hidden) onButton.focus();
    } catch (error) {
      say(WORDS.failed);
    } finally {
      offButton.disabled = false;
    }
  }

  // From a council's frame: the chat's own page in a new tab, handed this conversation
  // by postMessage once it says it is ready (only between windows of this origin).
  function openOwnPage() {
    const opened = window.open("/#notifications", "_blank");
    if (!opened) { say(WORDS.popup); return; }
    function answer(event) {
      if (event.source !== opened || event.origin !== location.origin) return;
      if (!event.data || event.data.champion !== "push-handover-ready") return;
      window.removeEventListener("message", answer);
      opened.postMessage({
        champion: "push-handover",
        session: storage.getItem(SESSION_KEY),
        token: storage.getItem(TOKEN_KEY),
      }, location.origin);
      say(WORDS.opened);
    }
    window.addEventListener("message", answer);
  }

  onButton.addEventListener("click", turnOn);
  openButton.addEventListener("click", openOwnPage);
  offButton.addEventListener("click", turnOff);

  // Asked again when the bot or a champion says something (a hand-off starts with
  // such a message), a moment later so one burst of messages is one question.
  let timer = 0;
  new MutationObserver((changes) => {
    if (state && (state.offer || state.on)) return;
    const fromThem = changes.some((c) => Array.from(c.addedNodes).some(
      (n) => n.nodeType === 1 && n.matches(".msg") && !n.matches(".me")));
    if (!fromThem) return;
    clearTimeout(timer);
    timer = setTimeout(check, 500);
  }).observe(log, { childList: true });
  storageReady.then(() => setTimeout(check, 300));
})();
