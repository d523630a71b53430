// Champion web chat. No framework and no CDN: it must load on a slow phone and
// work with a keyboard and a screen reader.
(() => {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const box = document.getElementById("message");
  const status = document.getElementById("status");
  const sendButton = document.getElementById("send");
  // The admin preview runs the same page against draft content, on its own address.
  const API = document.body.dataset.api || "/api/chat";
  const SESSION_KEY = document.body.dataset.api ? "champion-preview-session" : "champion-session";
  let busy = false;

  function sessionId() {
    let id = localStorage.getItem(SESSION_KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,128}$/.test(id)) {
      id = newId();
      localStorage.setItem(SESSION_KEY, id);
    }
    return id;
  }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  // Markdown-lite: **bold**, bare https links, "- " bullet lines and paragraphs.
  function inline(text) {
    return escapeHtml(text)
      .replace(/\*\*(.+?)\*\*/g, "<strong>$1</strong>")
      .replace(/(https?:\/\/[^\s<)]+)/g, '<a href="$1" target="_blank" rel="noopener noreferrer">$1</a>');
  }

  // Phone numbers become tappable: UK numbers everywhere, and in a crisis message
  // the short ones too (999, 111, 116 123) and "text SHOUT to 85258".
  function dialable(html, crisis) {
    html = html.replace(/\b(0[1-9]\d{2,3}(?: ?\d{3}){1,2}(?: ?\d{1,4})?)\b/g, (n) => '<a href="tel:' + n.replace(/ /g, "") + '">' + n + "</a>");
    if (!crisis) return html;
    html = html.replace(/\b(999|111|116 123)\b(?![^<]*<\/a>)/g, (n) => '<a href="tel:' + n.replace(/ /g, "") + '">' + n + "</a>");
    return html.replace(/(Text (?:<strong>)?(\w+)(?:<\/strong>)? to (?:<strong>)?)(\d{5})/gi,
      (all, before, word, number) => before + '<a href="sms:' + number + "?&body=" + word + '">' + number + "</a>");
  }

  function render(text, crisis) {
    const html = [];
    for (const block of text.split(/\n\s*\n/)) {
      const lines = block.split("\n");
      let list = [];
      let para = [];
      const flushPara = () => { if (para.length) { html.push("<p>" + para.map(inline).join("<br>") + "</p>"); para = []; } };
      const flushList = () => { if (list.length) { html.push("<ul>" + list.map((l) => "<li>" + inline(l) + "</li>").join("") + "</ul>"); list = []; } };
      for (const line of lines) {
        const bullet = line.match(/^\s*[-•]\s+(.*)$/);
        if (bullet) { flushPara(); list.push(bullet[1]); } else { flushList(); para.push(line); }
      }
      flushPara();
      flushList();
    }
    return dialable(html.join(""), crisis);
  }

  const SPEAKERS = { me: "You said: ", bot: "Champion said: ", champion: "Parent Champion said: " };

  function addMessage(who, text, kind) {
    const item = document.createElement("div");
    item.className = "msg " + who + (kind === "crisis" ? " crisis" : "");
    const label = document.createElement("span");
    label.className = who === "champion" ? "speaker" : "visually-hidden";
    label.textContent = who === "champion" ? "Parent Champion" : SPEAKERS[who];
    const body = document.createElement("div");
    body.innerHTML = render(text, kind === "crisis");
    item.append(label, body);
    log.appendChild(item);
    return item;
  }

  function disableOldChoices() {
    for (const old of log.querySelectorAll(".choices button")) old.disabled = true;
  }

  function addChoices(buttons, active) {
    if (!buttons || !buttons.length) return null;
    const group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Choices");
    for (const b of buttons) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = b.label;
      button.disabled = !active;
      button.addEventListener("click", () => send({ payload: b.payload }, b.label));
      group.appendChild(button);
    }
    log.appendChild(group);
    return group;
  }

  function showReplies(replies) {
    // No reply (a Parent Champion has the chat): earlier buttons such as
    // "Back to the bot" stay usable.
    if (replies.length) disableOldChoices();
    let firstGroup = null;
    let crisisItem = null;
    let firstItem = null;
    for (const reply of replies) {
      const item = addMessage("bot", reply.text, reply.kind);
      if (!firstItem) firstItem = item;
      if (reply.kind === "crisis" && !crisisItem) crisisItem = item;
      if (reply.sources && reply.sources.length) item.appendChild(sourcesDisclosure(reply.sources));
      if (reply.document) {
        const link = document.createElement("a");
        link.href = reply.document.url + "&session=" + encodeURIComponent(sessionId());
        link.textContent = "Download " + reply.document.filename;
        link.setAttribute("download", reply.document.filename);
        link.className = "download";
        item.appendChild(link);
      }
      const group = addChoices(reply.buttons, true);
      if (group && !firstGroup) firstGroup = group;
    }
    // A long reply is read from its start: scroll to the end only as far as keeps
    // the first new message in view. A crisis message is always the first thing on
    // screen, never scrolled past.
    const start = crisisItem || firstItem;
    log.scrollTop = log.scrollHeight;
    if (start) log.scrollTop = Math.min(log.scrollTop, start.offsetTop - log.offsetTop - 8);
    return firstGroup;
  }

  // Where an answer comes from, folded so the fact is not buried under links.
  function sourcesDisclosure(sources) {
    const details = document.createElement("details");
    details.className = "sources";
    const summary = document.createElement("summary");
    summary.textContent = "Sources";
    const list = document.createElement("ul");
    for (const source of sources) {
      const entry = document.createElement("li");
      const link = document.createElement("a");
      link.href = source.url;
      link.rel = "noopener noreferrer";
      link.target = "_blank";
      link.textContent = source.section ? source.title + ", " + source.section : source.title;
      entry.appendChild(link);
      list.appendChild(entry);
    }
    details.append(summary, list);
    return details;
  }

  function setBusy(on) {
    busy = on;
    sendButton.disabled = on;
    log.setAttribute("aria-busy", on ? "true" : "false");
    if (on) { status.className = "status"; status.textContent = "Champion is typing…"; }
    else if (status.textContent === "Champion is typing…") status.textContent = "";
  }

  async function post(body) {
    const response = await fetch(API, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  async function send(message, shownAs) {
    if (busy) return;
    const body = Object.assign({ session: sessionId(), message_id: newId() }, message);
    if (shownAs) addMessage("me", shownAs);
    setBusy(true);
    try {
      let data;
      try { data = await post(body); }
      catch (first) { data = await post(body); } // one retry; the same message_id is answered once
      const group = showReplies(data.replies);
      const viaButton = message.payload !== undefined;
      // Focus moves without scrolling, so a long reply stays at its start.
      if (viaButton && group) group.querySelector("button").focus({ preventScroll: true });
      else box.focus({ preventScroll: true });
      return true;
    } catch (error) {
      status.className = "status error";
      status.textContent = "Sorry, your message could not be sent. Check your connection and try again.";
      return false;
    } finally {
      setBusy(false);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = box.value;
    if (!text.trim() || busy) { box.focus(); return; }
    box.value = "";
    const ok = await send({ text }, text);
    if (!ok && !box.value) box.value = text; // nothing typed is lost
  });

  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // Messages from a Parent Champion arrive without the parent asking: listen for them.
  let lastId = 0;
  function listen() {
    if (!window.EventSource || document.body.dataset.stream === "off") return;
    const url = API + "/stream?session=" + encodeURIComponent(sessionId()) + "&after=" + lastId;
    const source = new EventSource(url);
    source.addEventListener("message", (event) => {
      const message = JSON.parse(event.data);
      lastId = Math.max(lastId, +event.lastEventId || 0);
      if (message.buttons && message.buttons.length) disableOldChoices();
      addMessage(message.sender === "champion" ? "champion" : "bot", message.text);
      addChoices(message.buttons, true);
      log.scrollTop = log.scrollHeight;
    });
  }

  async function start() {
    try {
      const response = await fetch(API + "/history?session=" + encodeURIComponent(sessionId()));
      const data = response.ok ? await response.json() : { messages: [] };
      if (data.messages.length) {
        // Only the replies to the parent's latest message keep usable buttons.
        const lastIn = data.messages.map((m) => m.direction).lastIndexOf("in");
        data.messages.forEach((m, i) => {
          lastId = Math.max(lastId, m.id || 0);
          addMessage(m.direction === "in" ? "me" : m.sender === "champion" ? "champion" : "bot", m.text);
          if (m.direction === "out") addChoices(m.buttons, i > lastIn);
        });
        log.scrollTop = log.scrollHeight;
      } else {
        await send({ payload: "global:start" });
      }
    } catch (error) {
      await send({ payload: "global:start" });
    }
  }

  start().then(listen);
})();
