// The sandbox page's Teams tab: the same bot serving a Microsoft Teams tenant (a fake Bot Connector
// on loopback). Plain ES2020. The bot's Adaptive Cards are rendered by Microsoft's renderer
// (vendor/adaptivecards.min.js) with markdown-it for their TextBlocks (raw HTML off); everything
// else from the server goes into the page as text nodes only.
"use strict";

window.dialogTeams = (() => {
  const STRINGS = {
    en: {
      tab: "Teams", signedInAs: "Signed in as", teams: "Teams", chat: "Chat", channel: "Dialog",
      channelSubtitle: "Dialogue meetings between the city and civil society",
      chatSubtitle: "Chat with the app", composeChannel: "Post in Dialog (it mentions @{bot}) — try help",
      composeChat: "Message {bot} — try help", send: "Send", enterHint: "Enter to send · Shift + Enter for a new line",
      intro: "The same bot, serving a Microsoft Teams tenant. Its cards are Adaptive Cards, drawn by Microsoft's own renderer; " +
        "the bot's Teams messages go to a fake Bot Connector on this computer, and what people do here reaches the bot " +
        "as Teams would send it. The Teams workspace has its own roster, topics and meetings.",
      empty: "Nothing here yet.", reply: "reply", replies: "replies", botAnswered: "{bot} answered you (only you see this)",
      close: "Close",
      refused: "The bot did not take that: {error}", dialog: "Dialog", you: "you",
    },
    nb: {
      tab: "Teams", signedInAs: "Logget inn som", teams: "Team", chat: "Chat", channel: "Dialog",
      channelSubtitle: "Dialogmøter mellom byen og sivilsamfunnet",
      chatSubtitle: "Chat med appen", composeChannel: "Skriv i Dialog (nevner @{bot}) — prøv hjelp",
      composeChat: "Melding til {bot} — prøv hjelp", send: "Send", enterHint: "Enter sender · Shift + Enter gir ny linje",
      intro: "Den samme boten, for en Microsoft Teams-organisasjon. Kortene er Adaptive Cards, tegnet av Microsofts egen " +
        "renderer; botens Teams-meldinger går til en falsk Bot Connector på denne maskinen, og det folk gjør her, når boten " +
        "slik Teams ville sendt det. Teams-arbeidsområdet har egne deltakere, temaer og møter.",
      empty: "Ingenting her ennå.", reply: "svar", replies: "svar", botAnswered: "{bot} svarte deg (bare du ser dette)",
      close: "Lukk",
      refused: "Boten tok ikke imot det: {error}", dialog: "Dialog", you: "deg",
    },
  };

  function pickLanguage() {
    const forced = new URLSearchParams(location.search).get("lang");
    if (forced && STRINGS[forced]) return forced;
    const wanted = (navigator.languages || [navigator.language || "en"]).map((l) => String(l).toLowerCase());
    return wanted.some((l) => /^(nb|nn|no)\b/.test(l)) ? "nb" : "en";
  }
  const lang = pickLanguage();
  function s(key, values) {
    let out = STRINGS[lang][key] || STRINGS.en[key] || key;
    for (const [k, v] of Object.entries(values || {})) out = out.split(`{${k}}`).join(String(v));
    return out;
  }

  function h(tag, props, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "data") for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = String(dv);
      else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
      else if (k === "value") e.value = v;
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return e;
  }
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ---- the renderer ------------------------------------------------------------------------

  // markdown-it with raw HTML off: a TextBlock's "<b>" is shown as typed. The bot escapes user text
  // for markdown itself (handlers/teams/render/common.md), so a proposal's "[x](y)" is no link.
  const markdown = window.markdownit({ html: false, linkify: false, breaks: false });
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = markdown.render(String(text));
    result.didProcess = true;
  };
  const HOST_CONFIG = new AdaptiveCards.HostConfig({
    fontFamily: "'Segoe UI', system-ui, -apple-system, sans-serif",
    spacing: { small: 4, default: 8, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    actions: { maxActions: 6, spacing: "default", buttonSpacing: 8, showCard: { actionMode: "inline" },
      actionsOrientation: "horizontal", actionAlignment: "left" },
    containerStyles: {
      default: { backgroundColor: "#FFFFFF", foregroundColors: {
        default: { default: "#242424", subtle: "#616161" }, accent: { default: "#5B5FC7", subtle: "#8B8CC7" },
        attention: { default: "#C4314B", subtle: "#D74654" }, good: { default: "#237B4B", subtle: "#4CAF50" },
        warning: { default: "#835C00", subtle: "#C19C00" } } },
    },
  });

  let state = null;
  let version = null;
  let me = null;               // the object id of the person the page acts as
  let where = "channel";       // "channel" or "chat"
  let shown = false;
  let root = null;
  const notices = new Map();   // activity id -> what the bot answered a click there (this page only)
  const cardCache = new Map(); // key -> rendered element, so an unchanged card keeps its inputs
  let dialog = null;           // {conversation, activity, title, card}

  function person(id) {
    return ((state && state.people) || []).find((p) => p.id === id) || null;
  }
  function nameOf(id) {
    if (id === "bot") return (state && state.bot.name) || "Dialogbot";
    const p = person(id);
    return p ? p.name : id;
  }
  function initials(name) {
    const words = String(name || "?").trim().split(/\s+/).filter(Boolean);
    return (words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] || "?").slice(0, 2)).toUpperCase();
  }

  async function call(path, body) {
    const response = await fetch(`/sandbox/api/teams/${path}`, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    let answer = null;
    try { answer = await response.json(); } catch (err) { answer = null; }
    if (!response.ok || !answer || answer.ok === false) {
      throw new Error((answer && answer.error) || `HTTP ${response.status}`);
    }
    return answer;
  }

  function showError(text) {
    const banner = root.querySelector(".teams-error");
    banner.hidden = !text;
    banner.querySelector("span").textContent = text || "";
  }

  // ---- actions on cards ---------------------------------------------------------------------

  function onCardAction(action, ctx) {
    if (action instanceof AdaptiveCards.OpenUrlAction) {
      const url = String(action.url || "");
      if (/^https?:\/\//i.test(url)) window.open(url, "_blank", "noopener,noreferrer");
      return;
    }
    if (action instanceof AdaptiveCards.ExecuteAction) {
      click(ctx, action.verb || "", action.data || {});
      return;
    }
    if (action instanceof AdaptiveCards.SubmitAction) {
      const data = action.data || {};
      if (ctx.inDialog) submitDialog(data);
      else if (data.msteams && data.msteams.type === "task/fetch") openDialog(ctx, data);
    }
  }

  async function click(ctx, verb, data) {
    showError("");
    try {
      const answer = await call("click", { user: me, conversation: ctx.conversation, activity: ctx.activity, verb, data });
      notices.set(ctx.activity, answer.text);
      render();
    } catch (err) {
      showError(s("refused", { error: err.message }));
    }
  }

  async function openDialog(ctx, data) {
    showError("");
    try {
      const answer = await call("dialog", { user: me, conversation: ctx.conversation, activity: ctx.activity, kind: "fetch", data });
      takeTask(ctx, answer.task);
    } catch (err) {
      showError(s("refused", { error: err.message }));
    }
  }

  async function submitDialog(data) {
    if (!dialog) return;
    const ctx = dialog.ctx;
    try {
      const answer = await call("dialog", { user: me, conversation: ctx.conversation, activity: ctx.activity, kind: "submit", data });
      takeTask(ctx, answer.task);
    } catch (err) {
      showError(s("refused", { error: err.message }));
    }
  }

  function takeTask(ctx, task) {
    const value = task && task.value;
    if (task && task.type === "continue" && value && value.card && value.card.content) {
      dialog = { ctx, title: value.title || s("dialog"), card: value.card.content };
    } else {
      dialog = null;
      if (typeof value === "string" && value) notices.set(ctx.activity, value);
    }
    render();
  }

  function renderCard(json, ctx) {
    const card = new AdaptiveCards.AdaptiveCard();
    card.hostConfig = HOST_CONFIG;
    card.onExecuteAction = (action) => onCardAction(action, ctx);
    try {
      card.parse(json);
      return card.render() || h("div", { class: "teams-card-error" }, JSON.stringify(json.fallbackText || ""));
    } catch (err) {
      return h("div", { class: "teams-card-error" }, String(json.fallbackText || err.message));
    }
  }

  function cardFor(message, conversation) {
    // A plain message's markdown goes through the same renderer, as a card of one TextBlock.
    const json = message.card || { type: "AdaptiveCard", version: "1.5",
      body: [{ type: "TextBlock", text: message.text || message.summary || "", wrap: true }] };
    const key = `${me}|${conversation}|${message.id}|${JSON.stringify(json)}`;
    let element = cardCache.get(key);
    if (!element) {
      element = renderCard(json, { conversation, activity: message.id });
      cardCache.set(key, element);
    }
    return element;
  }

  // ---- rendering -----------------------------------------------------------------------------

  function messageView(message, conversation) {
    const bot = message.from === "bot";
    const name = nameOf(message.from);
    const body = bot ? cardFor(message, conversation) : h("div", { class: "teams-text" }, message.text);
    const notice = notices.get(message.id);
    return h("div", { class: `teams-message${bot ? " from-bot" : ""}${message.from === me ? " from-me" : ""}`, data: { activity: message.id } },
      h("div", { class: "teams-avatar", "aria-hidden": "true" }, bot ? "DB" : initials(name)),
      h("div", { class: "teams-bubble" },
        h("div", { class: "teams-author" }, name, message.from === me ? ` (${s("you")})` : ""),
        body,
        notice ? h("div", { class: "teams-notice", role: "status" },
          h("div", { class: "teams-notice-title" }, s("botAnswered", { bot: nameOf("bot") })),
          cardFor({ id: `notice-${message.id}`, text: notice }, conversation)) : null));
  }

  function channelView() {
    const posts = state.channel.posts;
    if (!posts.length) return [h("p", { class: "teams-empty" }, s("empty"))];
    return posts.map((post) => h("article", { class: "teams-post", data: { post: post.id } },
      messageView(post, post.conversation),
      post.replies.length ? h("div", { class: "teams-replies" },
        h("div", { class: "teams-reply-count" }, `${post.replies.length} ${post.replies.length === 1 ? s("reply") : s("replies")}`),
        post.replies.map((reply) => messageView(reply, reply.conversation))) : null));
  }

  function chatView() {
    const mine = person(me);
    const messages = (mine && state.chats[mine.chat]) || [];
    if (!messages.length) return [h("p", { class: "teams-empty" }, s("empty"))];
    return messages.map((message) => messageView(message, mine.chat));
  }

  function render() {
    if (!root || !state) return;
    const people = state.people;
    if (!person(me)) me = people[0].id;
    const select = root.querySelector(".teams-person");
    const key = JSON.stringify(people.map((p) => [p.id, p.name]));
    if (select.dataset.key !== key) {
      select.dataset.key = key;
      select.replaceChildren(...people.map((p) => h("option", { value: p.id }, p.name)));
    }
    select.value = me;
    const mine = person(me);
    root.querySelector(".teams-person-title").textContent = mine.title;
    root.querySelector(".teams-team-name").textContent = state.team;
    for (const button of root.querySelectorAll("[data-where]")) {
      const active = button.dataset.where === where;
      button.classList.toggle("active", active);
      if (active) button.setAttribute("aria-current", "page");
      else button.removeAttribute("aria-current");
    }
    root.querySelector(".teams-title").textContent = where === "channel" ? state.channel.name : nameOf("bot");
    root.querySelector(".teams-subtitle").textContent = where === "channel" ? s("channelSubtitle") : s("chatSubtitle");
    root.querySelector(".teams-composer textarea").placeholder =
      s(where === "channel" ? "composeChannel" : "composeChat", { bot: nameOf("bot") });
    const list = root.querySelector(".teams-messages");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const before = list.scrollTop;
    list.replaceChildren(h("p", { class: "teams-intro" }, s("intro")), ...(where === "channel" ? channelView() : chatView()));
    list.scrollTop = atBottom ? list.scrollHeight : before;
    renderDialog();
  }

  function renderDialog() {
    const overlay = root.querySelector(".teams-dialog");
    overlay.hidden = !dialog;
    if (!dialog) return;
    overlay.querySelector(".teams-dialog-title").textContent = dialog.title;
    const body = overlay.querySelector(".teams-dialog-body");
    const key = JSON.stringify(dialog.card);
    if (body.dataset.key !== key) {
      body.dataset.key = key;
      body.replaceChildren(renderCard(dialog.card, { ...dialog.ctx, inDialog: true }));
    }
  }

  async function send() {
    const box = root.querySelector(".teams-composer textarea");
    const text = box.value.trim();
    if (!text) return;
    showError("");
    try {
      await call("send", { user: me, where, text });
      box.value = "";
    } catch (err) {
      showError(s("refused", { error: err.message }));
    }
  }

  function build() {
    root = document.getElementById("teams-app");
    root.replaceChildren(
      h("nav", { class: "teams-rail", "aria-label": "Teams" },
        switchBar("teams"),
        h("div", { class: "teams-team-name" }),
        h("label", { class: "teams-label", for: "teams-person" }, s("signedInAs")),
        h("select", { id: "teams-person", class: "teams-person", onchange: (e) => { me = e.target.value; notices.clear(); render(); } }),
        h("div", { class: "teams-person-title" }),
        h("div", { class: "teams-heading" }, s("teams")),
        h("button", { type: "button", class: "teams-place", data: { where: "channel" }, onclick: () => { where = "channel"; render(); } },
          h("span", { "aria-hidden": "true" }, "#"), s("channel")),
        h("div", { class: "teams-heading" }, s("chat")),
        h("button", { type: "button", class: "teams-place", data: { where: "chat" }, onclick: () => { where = "chat"; render(); } },
          h("span", { "aria-hidden": "true" }, "●"), "Dialogbot")),
      h("main", { class: "teams-main" },
        h("header", { class: "teams-header" }, h("h1", { class: "teams-title" }), h("span", { class: "teams-subtitle" })),
        h("div", { class: "teams-messages", role: "log", "aria-label": "Teams" }),
        h("div", { class: "teams-error", role: "alert", hidden: true }, h("span"),
          h("button", { type: "button", "aria-label": s("close"), onclick: () => showError("") }, "×")),
        h("div", { class: "teams-composer" },
          h("textarea", { rows: 1, "aria-label": s("send"), onkeydown: (e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
          } }),
          h("button", { type: "button", class: "teams-send", onclick: send }, s("send")),
          h("div", { class: "teams-hint" }, s("enterHint")))),
      h("div", { class: "teams-dialog", hidden: true },
        h("div", { class: "teams-dialog-box", role: "dialog", "aria-modal": "true" },
          h("header", null, h("h2", { class: "teams-dialog-title" }),
            h("button", { type: "button", class: "teams-dialog-close", "aria-label": s("close"), onclick: () => { dialog = null; render(); } }, "×")),
          h("div", { class: "teams-dialog-body" }))));
  }

  function switchBar(current) {
    return h("div", { class: "platform-switch", role: "tablist", "aria-label": "Platform" },
      ["slack", "teams"].map((p) => h("button", { type: "button", role: "tab", data: { platform: p },
        "aria-selected": p === current ? "true" : "false" }, p === "slack" ? "Slack" : s("tab"))));
  }

  async function poll() {
    for (;;) {
      try {
        const since = version == null ? "" : `?since=${version}`;
        const response = await fetch(`/sandbox/api/teams/state${since}`, { cache: "no-store" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const next = await response.json();
        if (next.version !== version) {
          state = next;
          version = next.version;
          if (cardCache.size > 500) cardCache.clear();
          if (shown) render();
        }
      } catch (err) {
        await sleep(1000);
      }
    }
  }

  function show(platform) {
    shown = platform === "teams";
    document.getElementById("app").hidden = shown;
    root.hidden = !shown;
    const params = new URLSearchParams(location.search);
    if (shown) params.set("platform", "teams"); else params.delete("platform");
    const search = params.toString();
    history.replaceState(null, "", `${location.pathname}${search ? `?${search}` : ""}${location.hash}`);
    if (shown) render();
  }

  function start() {
    build();
    document.addEventListener("click", (event) => {
      const tab = event.target.closest("[data-platform]");
      if (tab) show(tab.dataset.platform);
    });
    show(new URLSearchParams(location.search).get("platform") === "teams" ? "teams" : "slack");
    poll();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  return { get state() { return state; } };
})();
