// The sandbox page's Mailbox: the e-mails the bot sent, caught by the sandbox's own SMTP server.
// Plain ES2020, no dependencies. Text from the server goes into the page as text nodes only; an
// e-mail's HTML is shown in a sandboxed frame served with its own restrictive policy
// (sandbox/web.py), never put into this page.
"use strict";

window.dialogMailbox = (() => {
  // What the frame may do: open a link in a new tab (which leaves the sandbox, so the bot's /p/
  // pages work as they would from a mail client) and nothing else — no scripts, no same origin.
  const FRAME_SANDBOX = "allow-popups allow-popups-to-escape-sandbox allow-top-navigation-by-user-activation";
  const URL_IN_TEXT = /https?:\/\/[^\s<>"')\]]+/g;

  let listing = { version: null, unread: 0, messages: [] };
  let selectedId = null;
  let opened = null;        // the selected message whole (from /sandbox/api/mailbox/<id>)
  let view = "html";        // "html" or "text"
  let container = null;     // where the Mailbox is shown, while it is
  let onChange = () => {};
  let zone = () => undefined; // the time zone of the person the page acts as (sandbox.js)

  function h(tag, props, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "data") for (const [dk, dv] of Object.entries(v)) e.dataset[dk] = String(dv);
      else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return e;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** A time as the page shows times: on the wall clock of the person acted as. */
  function when(epochSeconds, long) {
    const options = (extra) => ({ timeZone: zone(), ...extra });
    const at = new Date(epochSeconds * 1000);
    const day = (d) => d.toLocaleDateString("en-GB", options({}));
    const time = at.toLocaleTimeString("en-GB", options({ hour: "2-digit", minute: "2-digit" }));
    if (long) {
      return `${at.toLocaleDateString("en-GB", options({ weekday: "short", day: "numeric", month: "short", year: "numeric" }))}, ${time}`;
    }
    return day(new Date()) === day(at) ? time
      : `${at.toLocaleDateString("en-GB", options({ day: "numeric", month: "short" }))}, ${time}`;
  }

  function dated(m) {
    const sent = Date.parse(m.date || "");
    return when(Number.isNaN(sent) ? m.received_at : sent / 1000, true);
  }

  /** Plain text with its web addresses as links (opened in a new tab); everything else as text. */
  function linkified(text) {
    const out = [];
    let last = 0;
    for (const match of text.matchAll(URL_IN_TEXT)) {
      out.push(text.slice(last, match.index));
      out.push(h("a", { href: match[0], target: "_blank", rel: "noopener noreferrer" }, match[0]));
      last = match.index + match[0].length;
    }
    out.push(text.slice(last));
    return out;
  }

  async function poll() {
    for (;;) {
      const since = listing.version == null ? "" : `?since=${listing.version}`;
      try {
        const response = await fetch(`/sandbox/api/mailbox${since}`, { cache: "no-store" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const next = await response.json();
        if (next.version !== listing.version) {
          listing = next;
          if (selectedId != null && !listing.messages.some((m) => m.id === selectedId)) {
            selectedId = null;
            opened = null;
          }
          onChange();
          render();
        }
      } catch (err) {
        await sleep(1000);
      }
    }
  }

  async function open(id) {
    selectedId = id;
    opened = null;
    view = "html";
    render();
    try {
      const response = await fetch(`/sandbox/api/mailbox/${id}`, { cache: "no-store" });
      const body = await response.json();
      if (selectedId !== id) return;
      opened = response.ok ? body : { id, error: body.error || `HTTP ${response.status}` };
      if (response.ok && !opened.has_html) view = "text";
    } catch (err) {
      if (selectedId === id) opened = { id, error: "The sandbox server cannot be reached." };
    }
    render();
    await fetch(`/sandbox/api/mailbox/${id}/read`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })
      .catch(() => null);
  }

  function intro() {
    return h("div", { class: "mailbox-intro" },
      h("p", null, h("strong", null, "A local mailbox. "),
        "It catches every e-mail the bot sends, whoever it is addressed to — such as the contact of ",
        h("em", null, "Fjordby Frivilligsentral (demo)"), ", who takes part by e-mail only. ",
        "Nothing leaves this computer."),
      h("p", null, "The links in an e-mail work: they open the bot's own pages in a new tab, where an answer ",
        "counts as a click in ", h("strong", null, "#dialog"), " would. The Mailbox is emptied when the sandbox stops."));
  }

  function listItem(m) {
    const unread = !m.read;
    return h("li", null, h("button", {
      type: "button",
      class: `mail-item${m.id === selectedId ? " active" : ""}${unread ? " unread" : ""}`,
      data: { mailId: m.id },
      "aria-current": m.id === selectedId ? "true" : null,
      onclick: () => open(m.id),
    },
    h("span", { class: "mail-to" }, unread ? h("span", { class: "visually-hidden" }, "Unread: ") : null, m.to || "(no recipient)"),
    h("time", { class: "mail-time", datetime: new Date(m.received_at * 1000).toISOString() }, when(m.received_at)),
    h("span", { class: "mail-subject" }, m.subject || "(no subject)")));
  }

  function reader() {
    if (selectedId == null) {
      const hint = listing.messages.length ? "Choose an e-mail to read it." : "No e-mail yet. Invite an organisation with an e-mail contact, such as Fjordby Frivilligsentral (demo), to a meeting (/dialog schedule): its invitation arrives here.";
      return h("div", { class: "mail-empty" }, hint);
    }
    if (!opened) return h("div", { class: "mail-empty" }, "Opening…");
    if (opened.error) return h("div", { class: "mail-empty" }, opened.error);
    const m = opened;
    const row = (label, value) => h("div", { class: "mail-header-row" }, h("span", { class: "mail-header-label" }, label), h("span", null, value));
    const choice = (which, label) => h("button", {
      type: "button", class: `mail-tab${view === which ? " active" : ""}`, "aria-pressed": String(view === which),
      onclick: () => { view = which; render(); },
    }, label);
    const tabs = h("div", { class: "mail-tabs", role: "group", "aria-label": "Show the e-mail as" },
      m.has_html ? choice("html", "HTML") : null, choice("text", "Plain text"));
    const body = view === "html" && m.has_html
      ? h("iframe", { class: "mail-frame", src: `/sandbox/mailbox/${m.id}/html`, sandbox: FRAME_SANDBOX, referrerpolicy: "no-referrer", title: `The e-mail “${m.subject}” as HTML` })
      : h("pre", { class: "mail-text" }, m.text == null ? "(This e-mail has no plain-text part.)" : linkified(m.text));
    const files = h("div", { class: "mail-attachments" },
      ...m.attachments.map((a) => h("a", { class: "mail-attachment", href: `/sandbox/mailbox/${m.id}/part/${a.index}`, download: a.filename },
        `↓ ${a.filename}`, h("span", { class: "mail-attachment-size" }, ` (${a.content_type}, ${Math.max(1, Math.round(a.size / 1024))} KB)`))),
      h("a", { class: "mail-attachment mail-raw", href: `/sandbox/mailbox/${m.id}/raw`, download: `message-${m.id}.eml` }, "Download .eml"));
    return h("article", { class: "mail-message", data: { mailId: m.id } },
      h("header", { class: "mail-headers" },
        h("h2", { class: "mail-title" }, m.subject || "(no subject)"),
        row("From", m.from), row("To", m.to), row("Date", dated(m))),
      files, tabs, body);
  }

  // The list and the message are rebuilt apart: a new e-mail arriving must not reload the open one.
  let shownIn = null;
  let listKey = null;
  let readerKey = null;
  function render() {
    if (!container) return;
    if (shownIn !== container || !container.querySelector(".mailbox-panes")) {
      shownIn = container;
      listKey = readerKey = null;
      container.replaceChildren(intro(), h("div", { class: "mailbox-panes" },
        h("ul", { class: "mail-list", "aria-label": "E-mails, newest first" }),
        h("section", { class: "mail-reader", "aria-label": "E-mail" })));
    }
    const nextList = JSON.stringify([listing.messages, selectedId, zone()]);
    if (nextList !== listKey) {
      listKey = nextList;
      const list = container.querySelector(".mail-list");
      const focused = list.contains(document.activeElement);
      list.replaceChildren(...listing.messages.map(listItem));
      // Rebuilt under a keyboard user's feet: keep their place on the message they opened.
      if (focused) list.querySelector(".mail-item.active")?.focus();
    }
    const nextReader = JSON.stringify([selectedId, opened, view, selectedId == null && listing.messages.length > 0, zone()]);
    if (nextReader !== readerKey) {
      readerKey = nextReader;
      container.querySelector(".mail-reader").replaceChildren(reader());
    }
  }

  return {
    /** Follow the Mailbox: `changed` is called when its messages or unread count change; times are
     * shown in the zone `timeZone()` names. */
    start(changed, timeZone) {
      onChange = changed || onChange;
      zone = timeZone || zone;
      poll();
    },
    /** Show the Mailbox in `element` (and keep it up to date there). */
    show(element) {
      container = element;
      render();
    },
    /** Stop updating the element it was shown in. */
    hide() {
      container = null;
    },
    get unread() { return listing.unread || 0; },
  };
})();
