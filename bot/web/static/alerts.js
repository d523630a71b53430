// Alerts on every console page (issue #18). A crisis: a banner (role=alert), the chime
// and (when allowed) a system notification, the moment a crisis is read, before its
// ticket is saved. A new or newly urgent request in the champion's areas: a polite
// status line with a link, a softer chime, the count in the tab's title and a system
// notification. Neither ever shows a parent's words: only channel, number, urgency, area.
(function () {
  "use strict";
  var box = document.getElementById("crisis-alert");
  var line = document.getElementById("new-request");
  var desktop = document.getElementById("desktop-alerts");
  var WHERE = { web: "the web chat", telegram: "Telegram", whatsapp: "WhatsApp" };
  // The queue page refreshes itself (a polite live region), chimes and keeps its own
  // count in the title: there, a new request only adds the system notification.
  var onQueue = !!document.querySelector("[data-live] .badges, [data-live][data-tick]");

  function chime(soft) {
    // Crisis: a two-tone chime. A new request: one quieter tone. Browsers only allow
    // sound once the page has been used.
    try {
      var AudioContext = window.AudioContext || window.webkitAudioContext;
      var context = new AudioContext();
      (soft ? [660] : [660, 880]).forEach(function (pitch, index) {
        var tone = context.createOscillator();
        var volume = context.createGain();
        tone.frequency.value = pitch;
        volume.gain.value = soft ? 0.04 : 0.08;
        tone.connect(volume).connect(context.destination);
        tone.start(context.currentTime + index * 0.18);
        tone.stop(context.currentTime + index * 0.18 + 0.15);
      });
    } catch (ignored) { /* no sound available: the banner still shows */ }
  }
  window.championChime = function () { chime(false); };

  function notify(title, body, tag, href) {
    if (!window.Notification || Notification.permission !== "granted") return;
    try {
      var shown = new Notification(title, { body: body, tag: tag });
      if (href) {
        shown.onclick = function () { window.focus(); location.href = href; };
      }
    } catch (ignored) { /* some browsers only notify from a service worker */ }
  }

  // When this page last raised a crisis alarm: a crisis request heard again through
  // the request stream (after a reconnect, say) only alarms if none was raised lately.
  var lastCrisisAt = 0;
  var CRISIS_REPEAT_MS = 60000;

  function showCrisis(data) {
    lastCrisisAt = Date.now();
    var where = WHERE[data.channel] || "a channel";
    box.textContent = "";
    var text = document.createElement("strong");
    text.textContent = "Crisis: a parent on " + where + " needs urgent help now. ";
    var link = document.createElement("a");
    link.href = "/console";
    link.textContent = "Open the queue";
    box.append(text, link);
    box.hidden = false;
    chime(false);
    notify("Champion: crisis", "A parent on " + where + " needs urgent help now.", "crisis", "/console");
  }

  function describe(data) {
    // "#123, urgent, from Leeds": routine requests don't say "routine".
    var parts = ["#" + data.id];
    if (data.urgency && data.urgency !== "routine") parts.push(data.urgency);
    parts.push(data.area ? "from " + data.area : "area not known");
    return parts.join(", ");
  }

  function showCount(waiting) {
    // "(3) Ticket #12 – Champion": how many wait in the champion's areas.
    if (onQueue || typeof waiting !== "number") return;
    var base = document.title.replace(/^\(\d+\) /, "");
    document.title = waiting ? "(" + waiting + ") " + base : base;
  }

  function showRequest(data) {
    var id = parseInt(data.id, 10);
    if (!line || !(id > 0)) return;
    if (data.urgency === "crisis" && Date.now() - lastCrisisAt > CRISIS_REPEAT_MS) {
      // Missed while the page was away (asleep, offline): the full alarm, not a line.
      showCrisis({});
    }
    var what = describe(data);
    var href = "/console/tickets/" + id;
    if (data.urgency !== "crisis") {
      notify(data.raised ? "Champion: request now " + data.urgency : "Champion: new request", what, "ticket-" + id, href);
    }
    // The queue shows (and reads out) its new rows itself: the line is for other pages.
    if (onQueue) return;
    line.textContent = "";
    var text = document.createElement("strong");
    text.textContent = (data.raised ? "Request now " + data.urgency + ": " : "New request waiting: ") + what + ". ";
    var link = document.createElement("a");
    link.href = href;
    link.textContent = "Open request #" + id;
    line.append(text, link);
    showCount(data.waiting);
    // A crisis ticket had the crisis chime the moment it was read.
    if (data.urgency !== "crisis") chime(true);
  }

  // "Turn on desktop alerts": permission is asked only from this button (browsers
  // ignore or block asks made without a click); a short note when it was refused.
  function showDesktopChoice() {
    if (!desktop || !window.Notification) return;
    var button = document.getElementById("desktop-alerts-button");
    var denied = document.getElementById("desktop-alerts-denied");
    var permission = Notification.permission;
    button.hidden = permission !== "default";
    denied.hidden = permission !== "denied";
    desktop.hidden = permission === "granted";
  }

  if (desktop && window.Notification) {
    document.getElementById("desktop-alerts-button").addEventListener("click", function () {
      var asked = Notification.requestPermission(showDesktopChoice);
      if (asked && asked.then) asked.then(showDesktopChoice);
    });
    showDesktopChoice();
  }

  if (box && window.EventSource) {
    var source = new EventSource(box.dataset.alerts);
    source.addEventListener("alert", function (event) {
      try { showCrisis(JSON.parse(event.data)); } catch (ignored) { showCrisis({}); }
    });
    source.addEventListener("count", function (event) {
      try { showCount(JSON.parse(event.data).waiting); } catch (ignored) { /* keep the title */ }
    });
    source.addEventListener("ticket", function (event) {
      try { showRequest(JSON.parse(event.data)); } catch (ignored) { /* nothing to show */ }
    });
  }
})();
