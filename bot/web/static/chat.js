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
  // The secret the server issued with this chat's first reply. It goes in a header,
  // never in a URL, and without it nobody can read or continue this conversation.
  const TOKEN_KEY = SESSION_KEY + "-token";
  // In a council's page (GET /embed) the frame may be refused storage: embed_storage.js.
  const localStorage = window.championStorage ? window.championStorage.store : window.localStorage;
  let busy = false;

  function sessionId() {
    let id = localStorage.getItem(SESSION_KEY);
    if (!id || !/^[A-Za-z0-9_-]{8,128}$/.test(id)) {
      id = newId();
      localStorage.setItem(SESSION_KEY, id);
      localStorage.removeItem(TOKEN_KEY);
    }
    return id;
  }

  function authHeaders() {
    const token = localStorage.getItem(TOKEN_KEY);
    return token ? { Authorization: "Bearer " + token } : {};
  }

  function forgetChat() {
    localStorage.removeItem(SESSION_KEY);
    localStorage.removeItem(TOKEN_KEY);
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

  function addMessage(who, text, kind, author) {
    // The greeting in the page's HTML (for slow phones) gives way to the real chat.
    const greeting = document.getElementById("greeting");
    if (greeting) greeting.remove();
    const item = document.createElement("div");
    item.className = "msg " + who + (kind === "crisis" || kind === "receipt" ? " " + kind : "");
    const label = document.createElement("span");
    label.className = who === "champion" ? "speaker" : "visually-hidden";
    // A champion is shown by their first name: "Sam, Parent Champion".
    label.textContent = who === "champion" ? (author ? author + ", Parent Champion" : "Parent Champion") : SPEAKERS[who];
    const body = document.createElement("div");
    body.innerHTML = render(text, kind === "crisis");
    item.append(label, body);
    if (who !== "me" && kind !== "receipt") {
      const reader = readAloudButton(body);
      if (reader) item.appendChild(reader);
    }
    log.appendChild(item);
    return item;
  }

  // "Read aloud", with the browser's own speech; no button where there is none.
  const speech = window.speechSynthesis && window.SpeechSynthesisUtterance ? window.speechSynthesis : null;
  function readAloudButton(body) {
    if (!speech) return null;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "read-aloud";
    button.textContent = "Read aloud";
    button.addEventListener("click", () => {
      const again = button.getAttribute("aria-pressed") === "true";
      speech.cancel();
      for (const other of log.querySelectorAll(".read-aloud[aria-pressed=true]")) {
        other.setAttribute("aria-pressed", "false");
        other.textContent = "Read aloud";
      }
      if (again) return; // pressed while reading: stop
      const utterance = new SpeechSynthesisUtterance(body.innerText);
      utterance.lang = "en-GB";
      const done = () => { button.setAttribute("aria-pressed", "false"); button.textContent = "Read aloud"; };
      utterance.onend = done;
      utterance.onerror = done;
      button.setAttribute("aria-pressed", "true");
      button.textContent = "Stop reading";
      speech.speak(utterance);
    });
    return button;
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
      if (/:skip$/.test(b.payload)) button.className = "skip";
      // "Done" in a multi-select question stays in view however long the list.
      if (/:done$/.test(b.payload)) button.className = "done";
      button.addEventListener("click", () => send({ payload: b.payload }, b.label));
      group.appendChild(button);
    }
    log.appendChild(group);
    return group;
  }

  function showReplies(replies) {
    // No reply (a Parent Champion has the chat): earlier buttons such as
    // "Back to the bot" stay usable.
    // "Sent to Sam" is only a receipt: it leaves them usable too.
    if (replies.some((r) => r.kind !== "receipt")) disableOldChoices();
    let firstGroup = null;
    let crisisItem = null;
    let firstItem = null;
    for (const reply of replies) {
      const item = addMessage("bot", reply.text, reply.kind);
      if (!firstItem) firstItem = item;
      if (reply.kind === "crisis" && !crisisItem) crisisItem = item;
      if (reply.sources && reply.sources.length) item.appendChild(sourcesDisclosure(reply.sources));
      if (reply.document && /\.docx$/.test(reply.document.filename)) {
        item.appendChild(copyButton(reply.text, item.children[1]));
      }
      if (reply.document) item.appendChild(downloadButton(reply.document));
      const group = addChoices(reply.buttons, true);
      if (group && !firstGroup) firstGroup = group;
    }
    // A long reply is read from its start: scroll to the end only as far as keeps
    // the first new message in view. A crisis message is always the first thing on
    // screen, never scrolled past.
    const start = crisisItem || firstItem;
    log.scrollTop = log.scrollHeight;
    if (start) log.scrollTop = Math.min(log.scrollTop, start.offsetTop - log.offsetTop - 8);
    // A multi-select question: its first choice in view, so "Done" (sticky) shows too.
    if (firstGroup && firstGroup.querySelector("button.done") && !crisisItem) {
      const first = firstGroup.querySelector("button");
      const bottom = first.offsetTop - log.offsetTop + first.offsetHeight + 8;
      if (bottom > log.scrollTop + log.clientHeight) log.scrollTop = bottom - log.clientHeight;
    }
    return firstGroup;
  }

  // A letter's text to the clipboard; where the browser refuses, the text is
  // selected instead so the parent can copy it with their own keys or menu.
  function copyButton(text, shown) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "download copy";
    button.textContent = "Copy the letter";
    button.addEventListener("click", async () => {
      try {
        if (!navigator.clipboard || !window.isSecureContext) throw new Error("no clipboard");
        await navigator.clipboard.writeText(text);
        status.className = "status";
        status.textContent = "The letter is copied. You can paste it into an email or document.";
      } catch (error) {
        const range = document.createRange();
        range.selectNodeContents(shown);
        const selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        status.className = "status";
        status.textContent = "The letter is selected. Copy it with your device's copy command.";
      }
    });
    return button;
  }

  // A letter or calendar file: fetched with the chat's secret, then saved from memory.
  function downloadButton(file) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "download";
    button.textContent = "Download " + file.filename;
    button.addEventListener("click", async () => {
      try {
        const response = await fetch(file.url, { headers: authHeaders() });
        if (!response.ok) throw new Error("HTTP " + response.status);
        const address = URL.createObjectURL(await response.blob());
        const link = document.createElement("a");
        link.href = address;
        link.download = file.filename;
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(address), 60000);
      } catch (error) {
        status.className = "status error";
        status.textContent = "Sorry, " + file.filename + " could not be downloaded. Please try again.";
      }
    });
    return button;
  }

  // Where an answer comes from, folded so the fact is not buried under links.
  function sourcesDisclosure(sources) {
    const details = document.createElement("details");
    details.className = "sources";
    const summary = document.createElement("summary");
    summary.textContent = "Sources";
    // Numbered: a whole article's "[2]" is the second source here.
    const list = document.createElement("ol");
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

  // Announce, then move focus. New replies are added to the log (role=log, polite
  // live region) first; focus moves a frame and 100 ms later, so a screen reader has
  // the new text queued before it speaks the focused control. A newer reply, or the
  // parent moving focus themselves meanwhile (in the chat or out of its frame),
  // cancels the move.
  const ANNOUNCE_MS = 100;
  let focusTurn = 0;
  function focusAfterAnnouncing(target) {
    const turn = ++focusTurn;
    const from = document.activeElement;
    requestAnimationFrame(() => setTimeout(() => {
      const now = document.activeElement;
      const movedOn = now && now !== from && now !== document.body;
      if (turn !== focusTurn || movedOn || !target.isConnected || target.disabled) return;
      // In a council's page, focus that has left the chat's frame (the parent closed
      // it, or went back to the page) stays where the parent put it.
      if (window !== window.top && !document.hasFocus()) return;
      target.focus({ preventScroll: true });
    }, ANNOUNCE_MS));
  }

  // The log is never marked aria-busy: a screen reader holds a busy region's news
  // back, so the reply would be spoken late, after the focus move had been. "Champion
  // is typing…" (role=status) says a reply is coming instead.
  function setBusy(on) {
    busy = on;
    sendButton.disabled = on;
    if (on) { status.className = "status"; status.textContent = "Champion is typing…"; }
    else if (status.textContent === "Champion is typing…") status.textContent = "";
  }

  // Refusals the server explains in words (not our connection's fault).
  class Refused extends Error {
    constructor(status, words) { super("HTTP " + status); this.status = status; this.words = words; }
  }

  async function post(body) {
    const response = await fetch(API, {
      method: "POST",
      headers: Object.assign({ "Content-Type": "application/json" }, authHeaders()),
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => null);
    const words = data && data.replies && data.replies.length ? data.replies[0].text : "";
    if (!response.ok) throw new Refused(response.status, words);
    if (data.token) {
      localStorage.setItem(SESSION_KEY, data.session);
      localStorage.setItem(TOKEN_KEY, data.token);
    }
    return data;
  }

  async function send(message, shownAs) {
    if (busy) return;
    const body = Object.assign({ session: sessionId(), message_id: newId() }, message);
    // In a council's page (GET /embed): its council, for a conversation just starting.
    const council = document.body.dataset.council;
    if (council && !localStorage.getItem(TOKEN_KEY)) body.council = council;
    if (shownAs) addMessage("me", shownAs);
    setBusy(true);
    try {
      let data;
      try { data = await post(body); }
      catch (first) {
        if (first instanceof Refused && first.status !== 502 && first.status !== 504) throw first;
        data = await post(body); // one retry; the same message_id is answered once
      }
      const group = showReplies(data.replies);
      showAwaited(data.awaits);
      const viaButton = message.payload !== undefined;
      // Focus moves without scrolling, so a long reply stays at its start.
      // A typed question offers only "Skip this question": the box gets focus, not Skip.
      const typedQuestion = group && [...group.querySelectorAll("button")].every((b) => b.className === "skip");
      focusAfterAnnouncing(viaButton && group && !typedQuestion ? group.querySelector("button") : box);
      return true;
    } catch (error) {
      status.className = "status error";
      if (error instanceof Refused && error.status === 401) {
        // This browser no longer holds the chat: say so, and start a new one.
        const words = error.words;
        setTimeout(() => restart(words), 0); // once this send has finished
        return false;
      }
      status.textContent = error instanceof Refused && error.words
        ? error.words
        : "Sorry, your message could not be sent. Check your connection and try again.";
      return false;
    } finally {
      setBusy(false);
    }
  }

  // A fresh conversation on a clean page, with an optional note saying why.
  function restart(note) {
    forgetChat();
    stopListening();
    log.textContent = "";
    lastId = 0;
    if (note) addMessage("bot", note);
    send({ payload: "global:start" }).then(listen);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = box.value;
    if (!text.trim() || busy) { box.focus(); return; }
    box.value = "";
    const ok = await send({ text }, text);
    if (!ok && !box.value) box.value = text; // nothing typed is lost
  });

  // "Check my draft plan" (issue #19): while the bot waits for a plan, a file picker
  // (POST /api/chat/upload, with the same secret header) and room for a long paste.
  const planBox = document.getElementById("plan-upload");
  const planFile = document.getElementById("plan-file");
  const planSend = document.getElementById("plan-send");
  const MESSAGE_CHARS = 4000; // the server's MAX_MESSAGE_CHARS
  const PLAN_CHARS = 100000; // bot/plan/intake.py MAX_TEXT_CHARS
  const PLAN_BYTES = 10 * 1024 * 1024; // bot/plan/reading.py MAX_UPLOAD_BYTES
  // The words of flows/plan_check.yml problems.too_large (a test keeps them the same).
  const TOO_LARGE = "That file is bigger than 10 MB, so I can't read it. You could paste the text of Section F here instead.";

  function showAwaited(awaits) {
    const plan = awaits === "plan";
    if (planBox) planBox.hidden = !plan;
    box.maxLength = plan ? PLAN_CHARS : MESSAGE_CHARS;
  }

  async function sendPlanFile() {
    if (busy) return;
    const file = planFile.files && planFile.files[0];
    if (!file) {
      status.className = "status error";
      status.textContent = "Please choose a file to send.";
      planFile.focus();
      return;
    }
    addMessage("me", "Sent a file: " + file.name);
    planFile.value = "";
    if (file.size > PLAN_BYTES) { // refused here too, before 10 MB cross the network
      addMessage("bot", TOO_LARGE);
      log.scrollTop = log.scrollHeight;
      focusAfterAnnouncing(planFile);
      return;
    }
    const body = new FormData();
    body.append("session", sessionId());
    body.append("message_id", newId());
    body.append("file", file);
    setBusy(true);
    planSend.disabled = true;
    try {
      const response = await fetch(API + "/upload", { method: "POST", headers: authHeaders(), body });
      const data = await response.json().catch(() => null);
      if (response.status === 401) {
        setTimeout(() => restart(data && data.replies && data.replies.length ? data.replies[0].text : ""), 0);
        return;
      }
      if (!data || !data.replies) throw new Error("HTTP " + response.status);
      // A file that can't be read is answered in words, as a message from the bot.
      showReplies(data.replies);
      if (response.ok || response.status === 409) showAwaited(data.awaits);
      focusAfterAnnouncing(planBox.hidden ? box : planFile);
    } catch (error) {
      status.className = "status error";
      status.textContent = "Sorry, your file could not be sent. Check your connection and try again.";
    } finally {
      setBusy(false);
      planSend.disabled = false;
    }
  }
  if (planSend) planSend.addEventListener("click", sendPlanFile);

  // A paste longer than the box takes would be cut by the browser without a word: say so.
  box.addEventListener("paste", (event) => {
    const pasted = event.clipboardData ? event.clipboardData.getData("text") : "";
    const room = box.maxLength - box.value.length + (box.selectionEnd - box.selectionStart);
    if (box.maxLength <= 0 || pasted.length <= room) return;
    status.className = "status error";
    status.textContent = box.maxLength >= PLAN_CHARS
      ? "That is more than I can read in one message: only the first 100,000 characters fit. Please upload the file instead, or paste Section F in parts."
      : "Only the first 4,000 characters fit in one message. To check a draft plan, choose \"Check my draft plan\" first: then you can paste the whole of Section F, or upload the file.";
  });

  box.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // Messages from a Parent Champion arrive without the parent asking: listen for them.
  // A server-sent event stream read with fetch(), because EventSource cannot send
  // the secret in a header (and the secret must never be in a URL).
  let lastId = 0;
  let listening = null;

  function stopListening() {
    if (listening) listening.abort();
    listening = null;
  }

  // "Sam is typing…" while the champion who has this chat types (bot/handoff/typing.py),
  // and this page's own typing told to them, at most every few seconds.
  let withChampion = false;
  let typingShown = null;
  let typingSentAt = 0;
  // A champion's keystroke just before Send can reach us after the message itself: a
  // "typing" that soon after their message is that one, not a new reply coming.
  let championSaidAt = 0;
  const typingLine = document.createElement("p");
  typingLine.id = "typing";
  typingLine.className = "typing";
  typingLine.setAttribute("aria-live", "polite");
  log.after(typingLine);

  function showTyping(name) {
    if (Date.now() - championSaidAt < 2000) return;
    typingLine.textContent = (name || "The Parent Champion") + " is typing…";
    clearTimeout(typingShown);
    typingShown = setTimeout(hideTyping, 6000);
  }

  function hideTyping() {
    clearTimeout(typingShown);
    typingLine.textContent = "";
  }

  box.addEventListener("input", () => {
    if (!withChampion || !listening || Date.now() - typingSentAt < 3000) return;
    typingSentAt = Date.now();
    fetch(API + "/typing", { method: "POST", headers: authHeaders() }).catch(() => {});
  });

  function showPushed(message) {
    withChampion = true;
    hideTyping();
    if (message.sender === "champion") championSaidAt = Date.now();
    if (message.buttons && message.buttons.length) disableOldChoices();
    addMessage(message.sender === "champion" ? "champion" : "bot", message.text, undefined, message.author);
    addChoices(message.buttons, true);
    log.scrollTop = log.scrollHeight;
  }

  async function readStream(control) {
    const headers = Object.assign({ Accept: "text/event-stream" }, authHeaders());
    if (lastId) headers["Last-Event-ID"] = String(lastId);
    const response = await fetch(API + "/stream?after=" + lastId, { headers, signal: control.signal });
    if (response.status === 401) return false;
    if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return true;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let id = null;
        let type = "message";
        const data = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("id:")) id = line.slice(3).trim();
          else if (line.startsWith("event:")) type = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        }
        if (!data.length) continue;
        if (type === "typing") {
          showTyping(JSON.parse(data.join("\n")).name);
          continue;
        }
        if (id && /^\d+$/.test(id)) lastId = Math.max(lastId, +id);
        showPushed(JSON.parse(data.join("\n")));
      }
    }
  }

  async function listen() {
    if (!window.fetch || !window.TextDecoder || document.body.dataset.stream === "off") return;
    if (!localStorage.getItem(TOKEN_KEY)) return;
    stopListening();
    const control = new AbortController();
    listening = control;
    while (listening === control) {
      try {
        if (!(await readStream(control))) return; // this chat is no longer ours
      } catch (error) {
        if (control.signal.aborted) return;
      }
      await new Promise((resolve) => setTimeout(resolve, 2000)); // then reconnect
    }
  }

  // "End and clear this chat", for shared computers: the server forgets the secret
  // and this browser forgets the chat, so nobody can scroll back through it.
  const endButton = document.getElementById("end-chat");
  if (endButton) {
    endButton.addEventListener("click", async () => {
      if (!window.confirm("End this chat and clear it from this device? You won't be able to see it again here.")) return;
      try {
        await fetch(API + "/end", { method: "POST", headers: authHeaders() });
      } catch (error) { /* cleared here anyway */ }
      restart("This chat has been ended and cleared from this device. You can start again below.");
    });
  }

  async function start() {
    if (!localStorage.getItem(TOKEN_KEY)) {
      // A new visitor, or a chat from before secrets: a new conversation.
      forgetChat();
      await send({ payload: "global:start" });
      return;
    }
    try {
      const response = await fetch(API + "/history", { headers: authHeaders() });
      if (response.status === 401) {
        const data = await response.json().catch(() => null);
        restart(data && data.replies && data.replies.length ? data.replies[0].text : "");
        return;
      }
      const data = response.ok ? await response.json() : { messages: [] };
      if (data.messages.length) {
        // Only the replies to the parent's latest message keep usable buttons.
        const lastIn = data.messages.map((m) => m.direction).lastIndexOf("in");
        data.messages.forEach((m, i) => {
          lastId = Math.max(lastId, m.id || 0);
          if (m.sender === "champion") withChampion = true;
          const item = addMessage(m.direction === "in" ? "me" : m.sender === "champion" ? "champion" : "bot", m.text, undefined, m.author);
          if (m.document) item.appendChild(downloadButton(m.document)); // still fetched with the secret
          if (m.direction === "out") addChoices(m.buttons, i > lastIn);
        });
        log.scrollTop = log.scrollHeight;
        showAwaited(data.awaits);
      } else {
        await send({ payload: "global:start" });
      }
    } catch (error) {
      await send({ payload: "global:start" });
    }
  }

  // Quick exit: the page is replaced by a neutral site, leaving nothing in the back
  // button. The chat itself is kept (nothing is ended or deleted). Esc twice does it too.
  const exitLink = document.getElementById("quick-exit");
  function quickExit(event) {
    if (event) event.preventDefault();
    if (speech) speech.cancel();
    document.body.textContent = "";
    document.title = "";
    const away = exitLink ? exitLink.href : "https://www.bbc.co.uk/weather";
    // In a frame on a council's page (GET /embed) the whole page goes, not just the chat.
    try { (window.top !== window.self ? window.top : window).location.replace(away); }
    catch (error) { window.location.replace(away); }
  }
  if (exitLink) exitLink.addEventListener("click", quickExit);
  let lastEscape = 0;
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const now = Date.now();
    if (now - lastEscape < 1500) quickExit(event);
    lastEscape = now;
  });

  (window.championStorage ? window.championStorage.ready : Promise.resolve()).then(start).then(listen);
})();
