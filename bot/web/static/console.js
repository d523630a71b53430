// Champion console: live updates over server-sent events, a sound and a badge in
// the title for new tickets, canned replies, and replying without a page reload.
// Everything here is an enhancement: the pages work as plain forms without it.
(function () {
  "use strict";

  var live = document.querySelector("[data-live]");
  var errorBox = document.getElementById("form-error");

  function showError(message) {
    if (!errorBox) return;
    errorBox.textContent = message || "";
    errorBox.hidden = !message;
  }

  function beep() {
    // The chime lives in alerts.js, loaded on every console page.
    if (window.championChime) window.championChime();
  }

  function counts() {
    var badges = document.querySelector(".badges");
    if (!badges) return null;
    return { waiting: +badges.dataset.waiting, urgent: +badges.dataset.urgent };
  }

  function updateTitle() {
    var now = counts();
    if (!now) return;  // not the queue: alerts.js keeps the count from its alerts
    var base = document.title.replace(/^\(\d+\) /, "");
    document.title = now.waiting ? "(" + now.waiting + ") " + base : base;
  }

  function refresh() {
    var before = counts();
    return fetch(live.dataset.live, { credentials: "same-origin" }).then(function (response) {
      if (response.status === 401) { window.location = "/console/login?next=" + encodeURIComponent(location.pathname); return; }
      if (!response.ok) return;
      return response.text().then(function (html) {
        // Where the reader is, read just before the swap (not when the fetch began):
        // a key pressed meanwhile ("j" to the next row) keeps its place too.
        var transcript = document.getElementById("transcript");
        var atBottom = transcript && transcript.scrollTop + transcript.clientHeight >= transcript.scrollHeight - 20;
        var hadFocus = transcript && document.activeElement === transcript;
        // A queue row's link or Claim button (or a follow-up's Done) keeps the keyboard
        // focus across a refresh.
        var focusedRow = live.contains(document.activeElement) &&
          document.activeElement.closest("tr[data-ticket], tr[data-follow-up]");
        var rowKey = focusedRow ? (focusedRow.dataset.ticket ? "data-ticket" : "data-follow-up") : null;
        var focusedKind = focusedRow ? document.activeElement.tagName.toLowerCase() : null;
        live.innerHTML = html;  // server-rendered and escaped
        var after = counts();
        if (before && after && (after.waiting > before.waiting || after.urgent > before.urgent)) beep();
        updateTitle();
        var fresh = document.getElementById("transcript");
        if (fresh && atBottom) fresh.scrollTop = fresh.scrollHeight;
        if (fresh && hadFocus) fresh.focus({ preventScroll: true });  // keyboard users keep their place
        if (focusedRow) {
          var again = live.querySelector("tr[" + rowKey + '="' + focusedRow.getAttribute(rowKey) + '"] ' + focusedKind);
          if (again) again.focus({ preventScroll: true });
        }
      });
    });
  }

  // "The parent is typing…" on a ticket page (bot/handoff/typing.py); shown for a few
  // seconds after each notice, in a polite live region outside the refreshed part.
  var typingLine = null;
  var typingShown = null;
  function showTyping() {
    if (!typingLine) {
      typingLine = document.createElement("p");
      typingLine.id = "parent-typing";
      typingLine.className = "typing";
      typingLine.setAttribute("aria-live", "polite");
      live.after(typingLine);
    }
    typingLine.textContent = "The parent is typing…";
    clearTimeout(typingShown);
    typingShown = setTimeout(function () { typingLine.textContent = ""; }, 6000);
  }

  if (live && window.EventSource) {
    var source = new EventSource(live.dataset.events);
    // The stream tells of changes from the moment it connects: look once on each
    // (re)connection, for anything that changed since the page was drawn or while
    // the connection was down.
    source.addEventListener("open", function () { refresh(); });
    source.addEventListener("change", function () {
      if (typingLine) typingLine.textContent = "";
      refresh();
    });
    source.addEventListener("typing", showTyping);
    updateTitle();
  }
  // The queue's "waiting 12 min" keeps counting between changes.
  if (live && live.dataset.tick) setInterval(refresh, +live.dataset.tick * 1000);
  var transcript = document.getElementById("transcript");
  if (transcript) transcript.scrollTop = transcript.scrollHeight;

  var canned = document.getElementById("canned");
  var replyText = document.getElementById("reply-text");
  // While the champion types a reply, the parent's web chat shows "Sam is typing…".
  var replyForm = replyText && replyText.form;
  var typingSentAt = 0;
  if (replyForm && /\/reply$/.test(replyForm.action)) {
    replyText.addEventListener("input", function () {
      if (Date.now() - typingSentAt < 3000) return;
      typingSentAt = Date.now();
      var body = new URLSearchParams();
      body.set("csrf_token", replyForm.querySelector("input[name=csrf_token]").value);
      fetch(replyForm.action.replace(/\/reply$/, "/typing"), {
        method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" }
      }).catch(function () { /* only a courtesy: the reply itself is what matters */ });
    });
  }
  if (canned && replyText) {
    canned.addEventListener("change", function () {
      var option = canned.options[canned.selectedIndex];
      if (option && option.dataset.text) {
        replyText.value = option.dataset.text;
        replyText.focus();
      }
    });
  }

  // Reply and note forms: send in the background, keep the words if it fails.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-async]"), function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      var box = form.querySelector("textarea");
      var focusedAtSend = document.activeElement;
      button.disabled = true;
      showError("");
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.json().catch(function () { return { error: "Something went wrong. Please try again." }; })
          .then(function (data) {
            if (!response.ok || data.error) { showError(data.error || "Something went wrong. Please try again."); return; }
            if (box) box.value = "";
            if (canned) canned.selectedIndex = 0;
            if (live) return refresh();
          });
      }).catch(function () {
        showError("Could not reach the server. Your text is still here; please try again.");
      }).then(function () {
        button.disabled = false;
        // Back to the box only if the champion is where they sent from. On a slow server
        // they may have moved on (Tab, then "n" for a note) and be typing: taking the focus
        // back would put a private note into the reply to the parent.
        var now = document.activeElement;
        if (box && (now === focusedAtSend || now === button || !now || now === document.body)) {
          box.focus();
        }
      });
    });
  });

  if (replyText) {
    // Ctrl+Enter (or Cmd+Enter) sends, like most chat tools; Enter alone is a new line.
    replyText.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        replyText.form.requestSubmit();
      }
    });
  }
})();
