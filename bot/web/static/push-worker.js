// Champion's service worker (served as /push-worker.js, scope "/"): Web Push only.
// It shows one fixed, neutral sentence whatever a push carries, so a lock screen
// never shows what a Parent Champion wrote, and opens the chat when tapped.
"use strict";

const MESSAGE = "A Parent Champion has replied";
const DETAIL = "Open the chat to read it.";

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  event.waitUntil(
    self.registration.showNotification(MESSAGE, {
      body: DETAIL,
      tag: "champion-reply", // several replies: one notification, not a pile
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
