// "Tell me when a Parent Champion replies": Web Push for the chat page (issue #17).
// Offered during a hand-off when the server has VAPID keys (GET /api/chat/push says),
// the browser can show notifications, and the page is not in a council's frame:
// browsers don't ask for permission there, and the chat offers e-mail instead.
// The subscription goes to POST /api/chat/push with the chat's secret in a header,
// as every chat request does; "Stop notifications" is DELETE /api/chat/push.
(() => {
  "use strict";
  const panel = document.getElementById("push-panel");
  const onButton = document.getElementById("push-on");
  const offButton = document.getElementById("push-off");
  const note = document.getElementById("push-note");
  const log = document.getElementById("log");
  if (!panel || !onButton || !offButton || !note || !log) return;
  if (document.body.dataset.api) return; // the admin's preview of draft content
  if (document.body.classList.contains("embedded") || window.top !== window.self) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) return;

  const API = "/api/chat/push";
  const TOKEN_KEY = "champion-session-token"; // chat.js keeps the chat's secret here
  const WORDS = {
    asking: "Asking your browser…",
    done: "Done: this browser will tell you when a Parent Champion replies, even if you close this page. It won't show what they wrote.",
    blocked: "Your browser is blocking notifications from this site. You can allow them in the browser's settings for this site, or keep this page open.",
    failed: "Sorry, this browser couldn't turn notifications on. A Parent Champion will still reply here in this chat.",
    off: "Notifications are off in this browser.",
  };
  let state = null;

  function headers(extra) {
    const token = window.localStorage.getItem(TOKEN_KEY);
    return Object.assign(token ? { Authorization: "Bearer " + token } : {}, extra || {});
  }

  function say(text) { note.textContent = text; }

  function render() {
    const shown = Boolean(state && (state.offer || state.on));
    panel.hidden = !shown;
    onButton.hidden = !shown || state.on;
    offButton.hidden = !shown || !state.on;
  }

  let checking = false;
  async function check() {
    if (checking || !window.localStorage.getItem(TOKEN_KEY)) return;
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

  onButton.addEventListener("click", turnOn);
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
  setTimeout(check, 300);
})();
