// Champion's service worker (served as /push-worker.js, scope "/"): Web Push only.
// It shows one of its own fixed, neutral sentences whatever a push carries, so a
// lock screen never shows what a Parent Champion wrote nor what a reminder is about,
// and opens the chat when tapped. A reminder's push says only {"kind": "reminder"}.
"use strict";

const MESSAGE = "A Parent Champion has replied";
const REMINDER = "You have a reminder from Champion";
const DETAIL = "Open the chat to read it.";

function isReminder(data) {
  try {
    return Boolean(data) && data.json().kind === "reminder";
  } catch (error) {
    return false; // a reply's push is plain text
  }
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  const reminder = isReminder(event.data);
  event.waitUntil(
    self.registration.showNotification(reminder ? REMINDER : MESSAGE, {
      body: DETAIL,
      tag: reminder ? "champion-reminder" : "champion-reply", // several: one notification
      renotify: true,
      data: { url: "/" },
    })
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(
    (async () => {
      const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const chat = open.find((client) => new URL(client.url).pathname === "/");
      if (chat) return chat.focus();
      return self.clients.openWindow("/");
    })()
  );
});
