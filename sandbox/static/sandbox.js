// The browser side of the Dialogbot sandbox workspace: a small Slack-like client.
// Plain ES2020, no dependencies. All text that comes from the server is put into the page with
// textContent / text nodes; nothing here ever assigns HTML markup.
"use strict";

(() => {
  // ------------------------------------------------------------------------------------------
  // DOM helpers
  // ------------------------------------------------------------------------------------------

  const $ = (id) => document.getElementById(id);
  const PROPS = new Set(["value", "checked", "disabled", "hidden", "selected", "multiple", "tabIndex"]);

  /** Create an element. props: class, text, data {camelCase: value}, on<event> handlers, attributes. */
  function h(tag, props, ...kids) {
    const e = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === "class") e.className = v;
        else if (k === "text") e.textContent = String(v);
        else if (k === "data") {
          for (const [dk, dv] of Object.entries(v)) if (dv !== undefined && dv !== null) e.dataset[dk] = String(dv);
        } else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
        else if (PROPS.has(k)) e[k] = v;
        else e.setAttribute(k, v === true ? "" : String(v));
      }
    }
    for (const kid of kids.flat(Infinity)) {
      if (kid === null || kid === undefined || kid === false) continue;
      e.append(kid instanceof Node ? kid : document.createTextNode(String(kid)));
    }
    return e;
  }

  let uid = 0;
  const nextId = (prefix) => `${prefix}-${++uid}`;
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // ------------------------------------------------------------------------------------------
  // Application state
  // ------------------------------------------------------------------------------------------

  let state = null;          // the last state from the server
  let selectedUser = null;   // user id
  let selectedConv = null;   // "home", "mailbox" or a conversation id
  const PANELS = new Set(["home", "mailbox"]); // what is shown in place of a conversation
  const mailbox = window.dialogMailbox;        // mailbox.js
  let wantKind = null;       // after a user switch: "dm" keeps the (new user's) DM selected
  let version = null;        // last state version seen
  let generation = 0;        // bumped on user switch; answers of older generations are dropped
  let pollController = null;
  let openThread = null;     // {channel, ts}
  let homePostedFor = null;  // user for whom Home was opened since it was last selected
  let closingViewId = null;  // a modal closed locally, until the state forgets it
  let modal = { id: null, sig: null, ctx: null };
  let homeRender = { sig: null, ctx: null };
  let renderedConv = null;
  const touchedByView = new Map(); // view id -> {block_id: {action_id: raw}} (fields the user changed)
  const submittingViews = new Set();
  const seenCounts = new Map();    // "user|conv" -> message count when last looked at

  // ------------------------------------------------------------------------------------------
  // Users, names and time
  // ------------------------------------------------------------------------------------------

  function bot() {
    return (state && state.workspace && state.workspace.bot) || { id: "", name: "dialogbot", real_name: "Dialogbot" };
  }

  function findUser(id) {
    if (!state) return null;
    return (state.users || []).find((u) => u.id === id) || null;
  }

  function isBotUser(id) {
    const u = findUser(id);
    return id === bot().id || Boolean(u && u.is_bot);
  }

  function displayName(id) {
    if (id === bot().id) return bot().real_name || bot().name || "Dialogbot";
    const u = findUser(id);
    return (u && (u.real_name || u.name)) || id || "Unknown";
  }

  function humanUsers() {
    return ((state && state.users) || []).filter((u) => !u.is_bot && u.id !== bot().id);
  }

  function initials(name) {
    const words = String(name || "?").trim().split(/\s+/).filter(Boolean);
    const letters = words.length > 1 ? words[0][0] + words[words.length - 1][0] : (words[0] || "?").slice(0, 2);
    return letters.toUpperCase();
  }

  const AVATAR_COLOURS = ["#2a80b9", "#8e44ad", "#c0392b", "#16a085", "#d35400", "#2c3e50", "#7f8c8d", "#27ae60"];
  function avatarColour(id) {
    let n = 0;
    for (const c of String(id)) n = (n * 31 + c.charCodeAt(0)) >>> 0;
    return AVATAR_COLOURS[n % AVATAR_COLOURS.length];
  }

  const zoneCache = new Map();
  function safeZone(tz) {
    if (!tz) return "UTC";
    if (!zoneCache.has(tz)) {
      try {
        new Intl.DateTimeFormat("en-US", { timeZone: tz });
        zoneCache.set(tz, tz);
      } catch (err) {
        zoneCache.set(tz, "UTC");
      }
    }
    return zoneCache.get(tz);
  }

  function myZone() {
    return safeZone(state && state.me && state.me.tz);
  }

  const formatterCache = new Map();
  /** The wall-clock parts of an instant (epoch seconds) in an IANA zone. */
  function wallParts(epochSeconds, tz) {
    const zone = safeZone(tz);
    let f = formatterCache.get(zone);
    if (!f) {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone: zone, year: "numeric", month: "numeric", day: "numeric", hour: "numeric",
        minute: "numeric", second: "numeric", hourCycle: "h23", weekday: "long",
      });
      formatterCache.set(zone, f);
    }
    const parts = {};
    for (const p of f.formatToParts(new Date(epochSeconds * 1000))) parts[p.type] = p.value;
    return {
      year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
      hour: Number(parts.hour) % 24, minute: Number(parts.minute), second: Number(parts.second),
      weekday: parts.weekday,
    };
  }

  const pad = (n, w = 2) => String(n).padStart(w, "0");

  /** Epoch seconds -> "YYYY-MM-DDTHH:MM", the wall time in `tz` (for datetime-local inputs). */
  function epochToWall(epochSeconds, tz) {
    const p = wallParts(epochSeconds, tz);
    return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}`;
  }

  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December"];

  function ordinal(n) {
    const rest = n % 100;
    if (rest >= 11 && rest <= 13) return `${n}th`;
    return n + ({ 1: "st", 2: "nd", 3: "rd" }[n % 10] || "th");
  }

  const dayNumber = (p) => Math.round(Date.UTC(p.year, p.month - 1, p.day) / 86400000);

  function relativeDay(p, tz) {
    const diff = dayNumber(p) - dayNumber(wallParts(Date.now() / 1000, tz));
    return { 0: "today", 1: "tomorrow", "-1": "yesterday" }[diff] || null;
  }

  function ago(epochSeconds) {
    const diff = epochSeconds - Date.now() / 1000;
    const abs = Math.abs(diff);
    const units = [["second", 1, 60], ["minute", 60, 3600], ["hour", 3600, 86400], ["day", 86400, 30 * 86400],
      ["month", 30 * 86400, 365 * 86400], ["year", 365 * 86400, Infinity]];
    const [unit, size] = units.find(([, , limit]) => abs < limit);
    const rtf = new Intl.RelativeTimeFormat("en", { numeric: "always" });
    return rtf.format(Math.round(diff / size), unit);
  }

  /** Slack's <!date^…> format in the viewer's zone; null when the format has an unknown token. */
  function formatSlackDate(epochSeconds, format, tz) {
    const p = wallParts(epochSeconds, tz);
    const monthName = MONTHS[p.month - 1];
    const date = `${monthName} ${ordinal(p.day)}, ${p.year}`;
    const dateShort = `${monthName.slice(0, 3)} ${p.day}, ${p.year}`;
    const dateLong = `${p.weekday}, ${date}`;
    const pretty = (base) => relativeDay(p, tz) || base;
    const tokens = {
      date_num: `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`,
      date, date_short: dateShort, date_long: dateLong,
      date_pretty: () => pretty(date), date_short_pretty: () => pretty(dateShort),
      date_long_pretty: () => pretty(dateLong),
      time: `${pad(p.hour)}:${pad(p.minute)}`,
      time_secs: `${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}`,
      ago: () => ago(epochSeconds),
    };
    let unknown = false;
    const out = format.replace(/\{([a-z_]+)\}/g, (whole, name) => {
      if (!Object.prototype.hasOwnProperty.call(tokens, name)) {
        unknown = true;
        return whole;
      }
      const v = tokens[name];
      return typeof v === "function" ? v() : v;
    });
    return unknown ? null : out;
  }

  function clockTime(ts) {
    const p = wallParts(Number(ts), myZone());
    return `${pad(p.hour)}:${pad(p.minute)}`;
  }

  function longTime(ts) {
    return formatSlackDate(Number(ts), "{date_long} {time}", myZone());
  }

  // ------------------------------------------------------------------------------------------
  // mrkdwn
  // ------------------------------------------------------------------------------------------

  const EMOJI = {
    calendar: "📅", white_check_mark: "✅", warning: "⚠️", rotating_light: "🚨", wave: "👋",
    busts_in_silhouette: "👥", memo: "📝", bulb: "💡", x: "❌", hourglass_flowing_sand: "⏳",
    speech_balloon: "💬", no_entry: "⛔", tada: "🎉", heavy_check_mark: "✔️", pushpin: "📌",
    spiral_calendar_pad: "🗓️", clock3: "🕒", thumbsup: "👍", "+1": "👍", eyes: "👀",
    information_source: "ℹ️", email: "📧", link: "🔗", house: "🏠",
  };

  function emojify(s) {
    return s.replace(/:([a-z0-9_+-]+):/g, (whole, name) => EMOJI[name] || whole);
  }

  // The emoji the bot itself sends, drawn by the page: a browser without an emoji font (Debian's
  // headless chromium has none) would show an empty box where the urgent marker should be.
  const ICONS = {
    rotating_light: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M4 13V8a4 4 0 0 1 8 0v5z" fill="#e01e5a"/><path d="M6.5 8a1.5 1.5 0 0 1 1.5-1.5" stroke="#fff" stroke-width="1.2" fill="none" stroke-linecap="round"/><rect x="2.5" y="13" width="11" height="2" rx=".6" fill="#616061"/><path d="M8 .8v1.6M2.6 3l1.1 1.1M13.4 3l-1.1 1.1" stroke="#e8912d" stroke-width="1.3" stroke-linecap="round"/></svg>',
    warning: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><path d="M8 1.5 15 14H1z" fill="#ecb22e" stroke="#ecb22e" stroke-linejoin="round"/><path d="M8 6v4" stroke="#1d1c1d" stroke-width="1.6" stroke-linecap="round"/><circle cx="8" cy="12" r=".9" fill="#1d1c1d"/></svg>',
    no_entry: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7" fill="#e01e5a"/><rect x="3.5" y="6.8" width="9" height="2.4" rx=".5" fill="#fff"/></svg>',
  };

  /** Append `plain` to `target` with :shortcodes: as emoji, the bot's own as drawn icons. */
  function appendEmojified(target, plain) {
    const re = /:([a-z0-9_+-]+):/g;
    let last = 0;
    let m;
    while ((m = re.exec(plain))) {
      if (!ICONS[m[1]]) continue;
      if (m.index > last) target.append(document.createTextNode(emojify(plain.slice(last, m.index))));
      target.append(h("img", {
        class: "emoji-icon", alt: EMOJI[m[1]] || m[0], title: m[0],
        src: "data:image/svg+xml," + encodeURIComponent(ICONS[m[1]]),
      }));
      last = re.lastIndex;
    }
    if (last < plain.length) target.append(document.createTextNode(emojify(plain.slice(last))));
  }

  const ENTITIES = { amp: "&", lt: "<", gt: ">" };
  function unescapeSlack(s) {
    return String(s).replace(/&(amp|lt|gt);/g, (m, n) => ENTITIES[n]);
  }

  function safeHref(url) {
    const u = unescapeSlack(String(url).trim());
    return /^(https?:|mailto:)/i.test(u) ? u : null;
  }

  const PUA = 0xe000;
  const PUA_MAX = 0xf8ff;
  const WORD = /[\p{L}\p{N}]/u;

  /** Render Slack mrkdwn into `parent` (text nodes and formatting elements only). */
  function renderMrkdwn(text, parent) {
    const tokens = [];
    // 1. Pull out <…> tokens, leaving one private-use placeholder character per token, so that
    //    formatting around them (e.g. *<!date^…> · 60 minutes*) still applies.
    const source = String(text == null ? "" : text)
      .replace(/[\ue000-\uf8ff]/g, "\ufffd")
      .replace(/<([^<>]+)>/g, (whole, inner) => {
        if (PUA + tokens.length > PUA_MAX) return whole;
        tokens.push(inner);
        return String.fromCharCode(PUA + tokens.length - 1);
      });

    function appendText(target, str, withEmoji) {
      let last = 0;
      const flush = (end) => {
        if (end > last) {
          const plain = unescapeSlack(str.slice(last, end));
          if (withEmoji) appendEmojified(target, plain);
          else target.append(document.createTextNode(plain));
        }
      };
      for (let i = 0; i < str.length; i++) {
        const code = str.charCodeAt(i);
        if (code >= PUA && code < PUA + tokens.length) {
          flush(i);
          target.append(renderToken(tokens[code - PUA]));
          last = i + 1;
        }
      }
      flush(str.length);
    }

    const boundaryBefore = (s, i) => i === 0 || !WORD.test(s[i - 1]);
    function closes(s, i, j, c) {
      if (j <= i + 1) return false;
      if (c === "`") return true;
      if (/\s/.test(s[i + 1]) || /\s/.test(s[j - 1])) return false;
      return j + 1 >= s.length || !WORD.test(s[j + 1]);
    }

    function inline(str, target) {
      let i = 0;
      let start = 0;
      while (i < str.length) {
        const c = str[i];
        if ((c === "*" || c === "_" || c === "~" || c === "`") && boundaryBefore(str, i)) {
          let j = str.indexOf(c, i + 1);
          while (j !== -1 && !closes(str, i, j, c)) j = str.indexOf(c, j + 1);
          if (j !== -1) {
            appendText(target, str.slice(start, i), true);
            const inner = str.slice(i + 1, j);
            if (c === "`") {
              const code = h("code", { class: "mrkdwn-code" });
              appendText(code, inner, false);
              target.append(code);
            } else {
              const e = h({ "*": "strong", _: "em", "~": "s" }[c]);
              inline(inner, e);
              target.append(e);
            }
            i = j + 1;
            start = i;
            continue;
          }
        }
        i++;
      }
      appendText(target, str.slice(start), true);
    }

    function lines(chunk, target) {
      const rows = chunk.split("\n");
      let quote = null;
      for (let k = 0; k < rows.length; k++) {
        const row = rows[k];
        const rest = /^&gt;&gt;&gt; ?/.exec(row);
        if (rest) {
          // >>> quotes everything after it.
          const q = h("blockquote", { class: "mrkdwn-quote" });
          lines([row.slice(rest[0].length), ...rows.slice(k + 1)].join("\n"), q);
          target.append(q);
          return;
        }
        const m = /^(&gt;|>) ?/.exec(row);
        if (m) {
          if (!quote) {
            quote = h("blockquote", { class: "mrkdwn-quote" });
            target.append(quote);
          } else {
            quote.append(h("br"));
          }
          inline(row.slice(m[0].length), quote);
          continue;
        }
        quote = null;
        inline(row, target);
        if (k < rows.length - 1 && !/^(&gt;|>)/.test(rows[k + 1])) target.append(h("br"));
      }
    }

    const parts = source.split("```");
    // Odd pieces are preformatted (an unmatched trailing ``` stays literal).
    const closed = parts.length % 2 === 1 ? parts.length : parts.length - 1;
    for (let k = 0; k < parts.length; k++) {
      if (k % 2 === 1 && k < closed) {
        const pre = h("pre", { class: "mrkdwn-pre" });
        appendText(pre, parts[k].replace(/^\n/, "").replace(/\n$/, ""), false);
        parent.append(pre);
      } else {
        let chunk = parts[k];
        if (k % 2 === 1) chunk = "```" + chunk;
        if (k > 0) chunk = chunk.replace(/^\n/, "");
        if (k < parts.length - 1) chunk = chunk.replace(/\n$/, "");
        if (chunk) lines(chunk, parent);
      }
    }
    return parent;
  }

  function renderToken(inner) {
    const bar = inner.indexOf("|");
    const head = bar === -1 ? inner : inner.slice(0, bar);
    const label = bar === -1 ? null : inner.slice(bar + 1);
    if (head.startsWith("@")) {
      const id = head.slice(1);
      const u = findUser(id) || (id === bot().id ? bot() : null);
      const name = u ? (u.real_name || u.name) : (label ? unescapeSlack(label).replace(/^@/, "") : id);
      return h("span", { class: "mention", data: { userId: id } }, "@" + name);
    }
    if (head.startsWith("#")) {
      const id = head.slice(1);
      const conv = ((state && state.conversations) || []).find((c) => c.id === id);
      const ws = state && state.workspace && state.workspace.channel;
      const name = label ? unescapeSlack(label) : conv ? conv.name : ws && ws.id === id ? ws.name : id;
      return h("span", { class: "channel-mention", data: { channelId: id } }, "#" + name);
    }
    if (head.startsWith("!")) {
      if (head.startsWith("!date^")) return renderDate(head, label);
      const special = head.slice(1).split("^")[0];
      if (["here", "channel", "everyone"].includes(special)) {
        return h("span", { class: "mention mention-special" }, "@" + special);
      }
      if (special === "subteam" && label) return h("span", { class: "mention" }, unescapeSlack(label));
      return document.createTextNode(unescapeSlack(label || head));
    }
    const href = safeHref(head);
    if (href) {
      return h("a", { href, target: "_blank", rel: "noopener noreferrer", class: "mrkdwn-link" },
        emojify(unescapeSlack(label != null && label !== "" ? label : head.replace(/^mailto:/i, ""))));
    }
    // Not a link Slack would make: show it as typed.
    return document.createTextNode(unescapeSlack(`<${inner}>`));
  }

  function renderDate(head, fallbackRaw) {
    const fallback = unescapeSlack(fallbackRaw || "");
    const [, epochText, format, link] = head.split("^");
    const epoch = Number(epochText);
    let text = null;
    if (epochText && Number.isFinite(epoch) && format) {
      try {
        text = formatSlackDate(epoch, unescapeSlack(format), myZone());
      } catch (err) {
        text = null;
      }
    }
    const span = h("span", { class: "slack-date", title: fallback }, text == null ? fallback : text);
    const href = link && safeHref(link);
    return href ? h("a", { href, target: "_blank", rel: "noopener noreferrer", class: "mrkdwn-link" }, span) : span;
  }

  function renderTextObject(obj, className) {
    const e = h("div", { class: className });
    if (!obj) return e;
    if (obj.type === "mrkdwn") {
      e.classList.add("mrkdwn");
      renderMrkdwn(obj.text, e);
    } else {
      e.classList.add("plain");
      const plain = unescapeSlack(String(obj.text || ""));
      e.textContent = obj.emoji === false ? plain : emojify(plain);
    }
    return e;
  }

  // Slack shows `&amp;`, `&lt;` and `&gt;` in plain text as the characters, as in mrkdwn.
  const plainText = (obj, fallback = "") => (obj && obj.text != null ? unescapeSlack(obj.text) : fallback);

  function sameOrigin(url) {
    try {
      return new URL(url, location.href).origin === location.origin;
    } catch (err) {
      return false;
    }
  }

  function renderImage(url, alt, className) {
    if (url && sameOrigin(url)) return h("img", { src: url, alt: alt || "", class: className });
    return h("span", { class: `${className} image-placeholder`, role: "img", "aria-label": alt || "image", title: url || "" },
      alt || "image");
  }

  // ------------------------------------------------------------------------------------------
  // Block Kit
  // ------------------------------------------------------------------------------------------
  //
  // A render context says where blocks live:
  //   {surface: "message", channel, ts, ephemeral}
  //   {surface: "view", viewId, isModal, controls: Map(block_id -> control), wrappers: Map}

  function renderBlocks(blocks, ctx) {
    const wrap = h("div", { class: "blocks" });
    (blocks || []).forEach((block, index) => {
      try {
        const node = renderBlock(block || {}, ctx, index);
        if (node) wrap.append(node);
      } catch (err) {
        console.error(err);
        wrap.append(h("div", { class: "block block-unsupported" }, `(a ${block && block.type} block that could not be shown)`));
      }
    });
    return wrap;
  }

  function renderBlock(b, ctx, index) {
    const data = { blockId: b.block_id };
    switch (b.type) {
      case "header":
        return h("h3", { class: "block block-header", data }, emojify(plainText(b.text)));
      case "divider":
        return h("hr", { class: "block block-divider", data });
      case "section": {
        const node = h("div", { class: "block block-section", data });
        const main = h("div", { class: "section-main" });
        if (b.text) main.append(renderTextObject(b.text, "section-text"));
        if (Array.isArray(b.fields) && b.fields.length) {
          main.append(h("div", { class: "section-fields" }, b.fields.map((f) => renderTextObject(f, "section-field"))));
        }
        node.append(main);
        if (b.accessory) node.append(h("div", { class: "section-accessory" }, renderElement(b.accessory, b, ctx)));
        return node;
      }
      case "context":
        return h("div", { class: "block block-context", data },
          (b.elements || []).map((el) => (el.type === "image"
            ? renderImage(el.image_url, el.alt_text, "context-image")
            : renderTextObject(el, "context-item"))));
      case "actions":
        return h("div", { class: "block block-actions", data },
          (b.elements || []).map((el) => renderElement(el, b, ctx)));
      case "image": {
        const fig = h("figure", { class: "block block-image", data });
        if (b.title) fig.append(h("figcaption", { class: "image-title" }, plainText(b.title)));
        fig.append(renderImage(b.image_url, b.alt_text, "block-image-img"));
        return fig;
      }
      case "input":
        return renderInputBlock(b, ctx, index);
      case "rich_text":
        return h("div", { class: "block block-rich-text", data }, richText(b.elements || []));
      default:
        return h("div", { class: "block block-unsupported", data }, `(${b.type || "unknown"} block)`);
    }
  }

  /** A minimal rich_text rendering: its text, mentions and links, unformatted. */
  function richText(elements) {
    return elements.map((el) => {
      if (!el || typeof el !== "object") return null;
      if (Array.isArray(el.elements)) return h("div", { class: "rich-text-part" }, richText(el.elements));
      if (el.type === "text") return el.text;
      if (el.type === "user") return h("span", { class: "mention" }, "@" + displayName(el.user_id));
      if (el.type === "link") {
        const href = safeHref(el.url);
        return href ? h("a", { href, target: "_blank", rel: "noopener noreferrer" }, el.text || el.url) : el.text || el.url;
      }
      if (el.type === "emoji") return EMOJI[el.name] || `:${el.name}:`;
      return null;
    });
  }

  function optionList(el) {
    if (Array.isArray(el.option_groups)) {
      return el.option_groups.map((g) => ({ label: plainText(g.label), options: g.options || [] }));
    }
    return [{ label: null, options: el.options || [] }];
  }

  const elementData = (el, block) => ({ actionId: el.action_id || "", blockId: (block && block.block_id) || "" });

  /** Interactive elements outside input blocks (actions blocks and accessories). */
  function renderElement(el, block, ctx) {
    const data = elementData(el, block);
    switch (el.type) {
      case "button": {
        const style = el.style === "primary" || el.style === "danger" ? ` bk-button-${el.style}` : "";
        const btn = h("button", {
          type: "button", class: `bk-button${style}`, data,
          "aria-label": el.accessibility_label || null,
        }, emojify(plainText(el.text)));
        if (el.url && safeHref(el.url)) btn.dataset.url = el.url;
        btn.addEventListener("click", async () => {
          if (el.confirm && !window.confirm(confirmText(el.confirm))) return;
          if (el.url && safeHref(el.url)) window.open(el.url, "_blank", "noopener");
          const action = { type: "button", text: el.text ? { ...el.text } : { type: "plain_text", text: "" } };
          if (el.value !== undefined) action.value = el.value;
          if (el.style) action.style = el.style;
          if (el.url) action.url = el.url;
          btn.disabled = true;
          btn.classList.add("busy");
          try {
            await postAction(ctx, block, el, action);
          } finally {
            btn.disabled = false;
            btn.classList.remove("busy");
          }
        });
        return btn;
      }
      case "static_select":
      case "overflow": {
        const overflow = el.type === "overflow";
        const select = h("select", {
          class: overflow ? "bk-overflow" : "bk-select", data,
          "aria-label": overflow ? "More actions" : plainText(el.placeholder, "Select an option"),
        });
        select.append(h("option", { value: "" }, overflow ? "⋯" : plainText(el.placeholder, "Select an option")));
        appendSelectOptions(select, overflow ? [{ label: null, options: el.options || [] }] : optionList(el));
        if (!overflow && el.initial_option) select.value = el.initial_option.value;
        select.addEventListener("change", () => {
          const chosen = select.value;
          if (!chosen) return;
          if (overflow) {
            select.value = "";
            const opt = (el.options || []).find((o) => o.value === chosen);
            if (opt && opt.url && safeHref(opt.url)) window.open(opt.url, "_blank", "noopener");
          }
          postAction(ctx, block, el, { type: el.type, selected: chosen });
        });
        return select;
      }
      case "datepicker": {
        const input = h("input", { type: "date", class: "bk-input bk-date", data, "aria-label": plainText(el.placeholder, "Pick a date") });
        if (el.initial_date) input.value = el.initial_date;
        input.addEventListener("change", () => postAction(ctx, block, el, { type: "datepicker", selected: input.value || null }));
        return input;
      }
      case "image":
        return renderImage(el.image_url, el.alt_text, "accessory-image");
      default:
        return h("span", { class: "bk-unsupported" }, `(${el.type || "unknown"} element)`);
    }
  }

  function confirmText(confirm) {
    return [plainText(confirm.title), plainText(confirm.text)].filter(Boolean).join("\n\n") || "Are you sure?";
  }

  function appendSelectOptions(select, groups) {
    for (const group of groups) {
      const target = group.label != null ? h("optgroup", { label: group.label }) : select;
      for (const o of group.options) target.append(h("option", { value: o.value }, emojify(plainText(o.text))));
      if (target !== select) select.append(target);
    }
  }

  // ---- input blocks (forms) --------------------------------------------------------------

  function renderInputBlock(b, ctx, index) {
    const el = b.element || {};
    const blockId = b.block_id || `input-${index}`;
    const wrapper = h("div", { class: "block block-input", data: { blockId } });
    const labelId = nextId("label");
    const inputId = nextId("input");
    const label = h("label", { class: "input-label", id: labelId, for: inputId }, emojify(plainText(b.label)));
    if (b.optional) label.append(h("span", { class: "optional" }, " (optional)"));
    wrapper.append(label);

    const control = buildControl(el, { ...b, block_id: blockId }, ctx, inputId, labelId);
    wrapper.append(control.node);
    if (control.isGroup) label.removeAttribute("for");
    if (b.hint) wrapper.append(h("div", { class: "input-hint" }, emojify(plainText(b.hint))));

    if (ctx.surface === "view") {
      const touched = touchedFor(ctx.viewId);
      const mine = touched[blockId] && touched[blockId][el.action_id || ""];
      if (mine !== undefined) control.set(mine);
      const record = () => {
        const t = touchedFor(ctx.viewId);
        (t[blockId] = t[blockId] || {})[el.action_id || ""] = control.get();
        clearFieldError(wrapper);
      };
      control.node.addEventListener("input", record);
      control.node.addEventListener("change", record);
      ctx.controls.set(blockId, { actionId: el.action_id || "", get: control.get, focus: control.focus, wrapper });
      ctx.wrappers.set(blockId, wrapper);

      if (b.dispatch_action) {
        const selects = ["static_select", "multi_static_select", "multi_users_select", "users_select",
          "radio_buttons", "checkboxes"];
        if (selects.includes(el.type)) {
          control.node.addEventListener("change", () => {
            postAction(ctx, { block_id: blockId }, el, { type: el.type, selected: control.get() });
          });
        } else if (el.type === "plain_text_input" || el.type === "number_input" || el.type === "url_text_input"
          || el.type === "email_text_input") {
          control.node.addEventListener("keydown", (event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing && control.node.tagName === "INPUT") {
              event.preventDefault();
              postAction(ctx, { block_id: blockId }, el, { type: el.type, value: control.get() });
            }
          });
        } else {
          control.node.addEventListener("change", () => {
            postAction(ctx, { block_id: blockId }, el, { type: el.type, selected: control.get() });
          });
        }
      }
    }
    return wrapper;
  }

  function touchedFor(viewId) {
    if (!touchedByView.has(viewId)) touchedByView.set(viewId, {});
    return touchedByView.get(viewId);
  }

  /** An input control: {node, get(), set(raw), focus(), isGroup}. */
  function buildControl(el, block, ctx, inputId, labelId) {
    const data = elementData(el, block);
    const placeholder = el.placeholder ? plainText(el.placeholder) : null;
    const simple = (node, initial, read = () => node.value) => {
      const control = {
        node,
        get: read,
        set: (raw) => { node.value = raw == null ? "" : String(raw); },
        focus: () => node.focus(),
      };
      control.set(initial);
      return control;
    };
    switch (el.type) {
      case "plain_text_input": {
        const node = el.multiline
          ? h("textarea", { id: inputId, class: "bk-input bk-textarea", data, placeholder, rows: 4 })
          : h("input", { id: inputId, type: "text", class: "bk-input", data, placeholder });
        if (el.max_length) node.maxLength = Number(el.max_length);
        if (el.min_length) node.minLength = Number(el.min_length);
        return simple(node, el.initial_value);
      }
      case "url_text_input":
      case "email_text_input":
      case "number_input": {
        const type = { url_text_input: "url", email_text_input: "email", number_input: "number" }[el.type];
        const node = h("input", { id: inputId, type, class: "bk-input", data, placeholder });
        if (el.type === "number_input") {
          node.step = el.is_decimal_allowed ? "any" : "1";
          node.inputMode = el.is_decimal_allowed ? "decimal" : "numeric";
          if (el.min_value != null) node.min = el.min_value;
          if (el.max_value != null) node.max = el.max_value;
        }
        return simple(node, el.initial_value);
      }
      case "datepicker": {
        const node = h("input", { id: inputId, type: "date", class: "bk-input bk-date", data });
        return simple(node, el.initial_date, () => node.value || null);
      }
      case "timepicker": {
        const node = h("input", { id: inputId, type: "time", class: "bk-input bk-time", data });
        return simple(node, el.initial_time, () => (node.value ? node.value.slice(0, 5) : null));
      }
      case "datetimepicker": {
        const node = h("input", { id: inputId, type: "datetime-local", class: "bk-input bk-datetime", data });
        const initial = el.initial_date_time != null ? epochToWall(Number(el.initial_date_time), myZone()) : null;
        return simple(node, initial, () => (node.value ? node.value.slice(0, 16) : null));
      }
      case "static_select":
      case "users_select":
      case "conversations_select":
      case "channels_select": {
        const node = h("select", { id: inputId, class: "bk-select", data });
        node.append(h("option", { value: "" }, placeholder || "Select an option"));
        let initial = null;
        if (el.type === "static_select") {
          appendSelectOptions(node, optionList(el));
          initial = el.initial_option ? el.initial_option.value : null;
        } else if (el.type === "users_select") {
          appendSelectOptions(node, [{ label: null, options: userOptions() }]);
          initial = el.initial_user || null;
        } else {
          appendSelectOptions(node, [{ label: null, options: conversationOptions() }]);
          initial = el.initial_conversation || el.initial_channel || null;
        }
        const control = simple(node, null, () => node.value || null);
        control.set = (raw) => {
          node.value = raw == null ? "" : String(raw);
          if (node.selectedIndex === -1) node.value = "";
        };
        control.set(initial);
        return control;
      }
      case "radio_buttons":
        return choiceGroup(el, data, labelId, "radio", false, optionList(el),
          el.initial_option ? [el.initial_option.value] : []);
      case "checkboxes":
        return choiceGroup(el, data, labelId, "checkbox", false, optionList(el),
          (el.initial_options || []).map((o) => o.value));
      case "multi_static_select":
        return choiceGroup(el, data, labelId, "checkbox", true, optionList(el),
          (el.initial_options || []).map((o) => o.value));
      case "multi_users_select":
        return choiceGroup(el, data, labelId, "checkbox", true, [{ label: null, options: userOptions() }],
          el.initial_users || []);
      case "multi_conversations_select":
      case "multi_channels_select":
        return choiceGroup(el, data, labelId, "checkbox", true, [{ label: null, options: conversationOptions() }],
          el.initial_conversations || el.initial_channels || []);
      default: {
        const node = h("div", { class: "bk-unsupported", data }, `(${el.type || "unknown"} input)`);
        return { node, get: () => null, set: () => {}, focus: () => {} };
      }
    }
  }

  function userOptions() {
    return humanUsers().map((u) => ({ value: u.id, text: { type: "plain_text", text: u.real_name || u.name || u.id } }));
  }

  function conversationOptions() {
    return ((state && state.conversations) || []).map((c) => ({
      value: c.id, text: { type: "plain_text", text: c.kind === "channel" ? `#${c.name}` : c.name },
    }));
  }

  /** Radio buttons, checkboxes, or (boxed=true) a multi-select shown as a scrollable checkbox list. */
  function choiceGroup(el, data, labelId, kind, boxed, groups, initial) {
    const name = nextId("choice");
    const node = h("div", {
      class: boxed ? "bk-multi-select" : `bk-choices bk-${kind}es`,
      role: kind === "radio" ? "radiogroup" : "group", "aria-labelledby": labelId, data,
    });
    const inputs = [];
    for (const group of groups) {
      if (group.label != null) node.append(h("div", { class: "choice-group-label" }, group.label));
      for (const o of group.options) {
        const input = h("input", { type: kind, name, value: o.value });
        inputs.push(input);
        const text = h("span", { class: "choice-text" });
        if (o.text && o.text.type === "mrkdwn") renderMrkdwn(o.text.text, text);
        else text.textContent = emojify(plainText(o.text));
        const row = h("label", { class: "choice" }, input, text);
        if (o.description) row.append(h("span", { class: "choice-description" }, plainText(o.description)));
        node.append(row);
      }
    }
    if (!inputs.length) node.append(h("div", { class: "choice-empty" }, "No options"));
    const control = {
      node,
      isGroup: true,
      get: () => (kind === "radio"
        ? (inputs.find((i) => i.checked) || { value: null }).value
        : inputs.filter((i) => i.checked).map((i) => i.value)),
      set: (raw) => {
        const wanted = new Set(Array.isArray(raw) ? raw.map(String) : raw == null ? [] : [String(raw)]);
        for (const i of inputs) i.checked = wanted.has(i.value);
      },
      focus: () => {
        const target = inputs.find((i) => i.checked) || inputs[0];
        if (target) target.focus();
      },
    };
    control.set(initial);
    return control;
  }

  function collectValues(ctx) {
    const values = {};
    if (!ctx || !ctx.controls) return values;
    for (const [blockId, control] of ctx.controls) values[blockId] = { [control.actionId]: control.get() };
    return values;
  }

  function clearFieldError(wrapper) {
    wrapper.classList.remove("has-error");
    for (const e of wrapper.querySelectorAll(".field-error")) e.remove();
    for (const e of wrapper.querySelectorAll("[aria-invalid]")) e.removeAttribute("aria-invalid");
  }

  // ------------------------------------------------------------------------------------------
  // Server calls
  // ------------------------------------------------------------------------------------------

  async function api(path, body) {
    try {
      const response = await fetch(path, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
      });
      let data = null;
      try {
        data = await response.json();
      } catch (err) {
        data = null;
      }
      if (!data || typeof data !== "object") return { ok: false, error: `The sandbox answered HTTP ${response.status}.` };
      if (!response.ok && data.ok !== false) return { ok: false, error: data.error || `HTTP ${response.status}` };
      return data;
    } catch (err) {
      return { ok: false, error: "The sandbox server cannot be reached." };
    }
  }

  function containerOf(ctx) {
    if (ctx.surface === "view") return { type: "view", view_id: ctx.viewId };
    const c = { type: "message", channel: ctx.channel, ts: ctx.ts };
    if (ctx.ephemeral) c.ephemeral = true;
    return c;
  }

  async function postAction(ctx, block, el, action) {
    const body = {
      user: selectedUser,
      container: containerOf(ctx),
      block_id: (block && block.block_id) || "",
      action_id: el.action_id || "",
      action,
    };
    if (ctx.surface === "view") body.values = collectValues(ctx);
    const result = await api("/sandbox/api/action", body);
    if (!result.ok) showError(result.error || "The action failed.", ctx.isModal ? "modal" : "main");
    return result;
  }

  let errorTimer = null;
  function showError(message, where = "main") {
    if (where === "modal" && !$("modal").hidden) {
      const box = $("modal-error");
      box.textContent = message;
      box.hidden = false;
      return;
    }
    $("error-text").textContent = message;
    $("error-banner").hidden = false;
    clearTimeout(errorTimer);
    errorTimer = setTimeout(hideError, 12000);
  }

  function hideError() {
    $("error-banner").hidden = true;
    clearTimeout(errorTimer);
  }

  // ------------------------------------------------------------------------------------------
  // Polling
  // ------------------------------------------------------------------------------------------

  async function pollLoop() {
    for (;;) {
      const myGeneration = generation;
      const controller = new AbortController();
      pollController = controller;
      const params = new URLSearchParams();
      if (selectedUser) params.set("user", selectedUser);
      if (version != null) params.set("since", String(version));
      try {
        const response = await fetch(`/sandbox/api/state?${params}`, { signal: controller.signal, cache: "no-store" });
        if (!response.ok) {
          if (response.status >= 400 && response.status < 500) {
            if (selectedUser && !state) {
              // An unknown user in the address: start over with the default user.
              selectedUser = null;
              version = null;
              continue;
            }
            let message = `HTTP ${response.status}`;
            try {
              message = (await response.json()).error || message;
            } catch (err) {
              // Not JSON: keep the status.
            }
            if (myGeneration === generation) showProblem(`The sandbox refused to show the workspace: ${message}`);
            await sleep(2000);
            continue;
          }
          throw new Error(`HTTP ${response.status}`);
        }
        const next = await response.json();
        if (myGeneration !== generation) continue;
        setConnected(true);
        if (!next.me && !selectedUser) {
          const first = (next.users || []).find((u) => !u.is_bot);
          if (first) {
            selectedUser = first.id;
            version = null;
            continue;
          }
        }
        applyState(next);
      } catch (err) {
        if (controller.signal.aborted || myGeneration !== generation) continue;
        setConnected(false);
        await sleep(1000);
      }
    }
  }

  function setConnected(ok) {
    const status = $("connection-status");
    if (!ok) status.textContent = "Reconnecting…";
    status.hidden = ok;
  }

  function showProblem(message) {
    const status = $("connection-status");
    status.textContent = message;
    status.hidden = false;
  }

  function switchUser(userId) {
    if (!userId || userId === selectedUser) return;
    const current = state && (state.conversations || []).find((c) => c.id === selectedConv);
    wantKind = current ? current.kind : null;
    selectedUser = userId;
    generation += 1;
    version = null;
    openThread = null;
    homePostedFor = null;
    closeThreadPane();
    hideError();
    writeHash();
    if (pollController) pollController.abort();
  }

  // ------------------------------------------------------------------------------------------
  // Rendering the state
  // ------------------------------------------------------------------------------------------

  function applyState(next) {
    state = next;
    version = next.version;
    if (next.me && next.me.id) selectedUser = next.me.id;
    chooseConversation();
    wantKind = null;
    writeHash();
    render();
    maybeOpenHome();
  }

  function chooseConversation() {
    const convs = state.conversations || [];
    if (PANELS.has(selectedConv)) return;
    if (selectedConv && convs.some((c) => c.id === selectedConv)) return;
    if (wantKind === "dm") {
      const dm = convs.find((c) => c.kind === "dm");
      if (dm) {
        selectedConv = dm.id;
        return;
      }
    }
    const channelId = state.workspace && state.workspace.channel && state.workspace.channel.id;
    const channel = convs.find((c) => c.id === channelId) || convs.find((c) => c.kind === "channel") || convs[0];
    selectedConv = channel ? channel.id : channelId || null;
  }

  function contextKey() {
    return JSON.stringify([state.me, state.users, state.workspace, state.conversations,
      formatSlackDate(Date.now() / 1000, "{date_num}", myZone())]);
  }

  function render() {
    const ctxKey = contextKey();
    renderSidebar();
    renderHeader();
    const home = selectedConv === "home";
    const mail = selectedConv === "mailbox";
    $("messages").hidden = home || mail;
    $("home").hidden = !home;
    $("mailbox").hidden = !mail;
    $("composer-area").hidden = home || mail;
    if (mail) mailbox.show($("mailbox"));
    else mailbox.hide();
    if (home || mail) {
      renderedConv = null; // the list loses its scroll position while hidden: pin it on return
      if (home) renderHome(ctxKey);
    } else {
      renderMessages(ctxKey);
    }
    renderThread(ctxKey);
    renderModal(ctxKey);
    updateComposerPlaceholder();
  }

  let sidebarKey = null;
  let switcherKey = null;
  function renderSidebar() {
    const ws = state.workspace || {};
    const wsName = ws.team_name || "Sandbox";
    if ($("workspace-name").textContent !== wsName) $("workspace-name").textContent = wsName;
    document.title = `${conversationLabel(selectedConv)} · ${wsName}`;

    const users = humanUsers();
    const key = JSON.stringify(users.map((u) => [u.id, u.real_name, u.title]));
    const switcher = $("user-switcher");
    if (key !== switcherKey) {
      switcherKey = key;
      // The name alone fits the sidebar; the title is shown in full under the menu.
      switcher.replaceChildren(...users.map((u) => h("option", { value: u.id, title: u.title || "" },
        u.real_name || u.name || u.id)));
    }
    if (switcher.value !== selectedUser) switcher.value = selectedUser;
    const me = users.find((u) => u.id === selectedUser);
    const role = $("user-title");
    if (role && role.textContent !== ((me && me.title) || "")) role.textContent = (me && me.title) || "";

    const convs = state.conversations || [];
    for (const c of convs) {
      const count = (state.messages && state.messages[c.id] || []).length;
      const seenKey = `${selectedUser}|${c.id}`;
      if (c.id === selectedConv || !seenCounts.has(seenKey)) seenCounts.set(seenKey, count);
    }
    const unread = (c) => (state.messages && state.messages[c.id] || []).length > (seenCounts.get(`${selectedUser}|${c.id}`) || 0);
    const channels = convs.filter((c) => c.kind === "channel");
    const dms = convs.filter((c) => c.kind !== "channel");
    const rows = [
      { kind: "home", id: "home", label: "Home", unread: false },
      { kind: "mailbox", id: "mailbox", label: "Mailbox", unread: mailbox.unread > 0, count: mailbox.unread },
      { heading: "Channels" },
      ...channels.map((c) => ({ kind: "channel", id: c.id, label: c.name, unread: unread(c) })),
      { heading: "Direct messages" },
      ...dms.map((c) => ({ kind: "dm", id: c.id, label: c.name, unread: unread(c) })),
    ];
    const newKey = JSON.stringify([rows, selectedConv]);
    if (newKey === sidebarKey) return;
    sidebarKey = newKey;
    $("conversations").replaceChildren(...rows.map((row) => {
      if (row.heading) return h("li", { class: "sidebar-heading", role: "presentation" }, row.heading);
      const icon = { home: "⌂", mailbox: "✉", channel: "#", dm: "●" }[row.kind];
      const button = h("button", {
        type: "button",
        class: `conversation conversation-${row.kind}${row.id === selectedConv ? " active" : ""}${row.unread ? " unread" : ""}`,
        data: { conversation: row.id },
        "aria-current": row.id === selectedConv ? "page" : null,
      }, h("span", { class: "conversation-icon", "aria-hidden": "true" }, icon), h("span", { class: "conversation-name" }, row.label));
      if (row.kind === "dm") button.append(h("span", { class: "app-badge" }, "APP"));
      if (row.count) {
        button.append(h("span", { class: "unread-count", title: `${row.count} unread` }, String(row.count),
          h("span", { class: "visually-hidden" }, " unread")));
      }
      return h("li", null, button);
    }));
  }

  function conversationLabel(id) {
    if (id === "home") return "Home";
    if (id === "mailbox") return "Mailbox";
    const c = state && (state.conversations || []).find((x) => x.id === id);
    if (!c) return "";
    return c.kind === "channel" ? `#${c.name}` : c.name;
  }

  function renderHeader() {
    const title = $("conversation-title");
    const sub = $("conversation-subtitle");
    let main = conversationLabel(selectedConv);
    let subtitle = "";
    if (selectedConv === "home") {
      main = `${bot().real_name || "Dialogbot"}`;
      subtitle = "Home";
    } else if (selectedConv === "mailbox") {
      main = "Mailbox";
      subtitle = "Local: catches every e-mail the bot sends";
    } else {
      const c = (state.conversations || []).find((x) => x.id === selectedConv);
      if (c && c.kind !== "channel") subtitle = "Direct message with the app";
      else subtitle = "Dialogue meetings between the city and civil society";
    }
    if (title.textContent !== main) title.textContent = main;
    if (sub.textContent !== subtitle) sub.textContent = subtitle;
  }

  function updateComposerPlaceholder() {
    const label = conversationLabel(selectedConv) || "#dialog";
    const text = `Message ${label} — try /dialog help`;
    const composer = $("composer");
    if (composer.placeholder !== text) composer.placeholder = text;
  }

  /** Put `items` ({key, sig, build}) into `container` in order, rebuilding only what changed. */
  function reconcile(container, items, epoch) {
    if (container._epoch !== epoch) {
      container.replaceChildren();
      container._nodes = new Map();
      container._epoch = epoch;
    }
    const old = container._nodes;
    const fresh = new Map();
    const nodes = items.map((item) => {
      const prev = old.get(item.key);
      const node = prev && prev.sig === item.sig ? prev.node : item.build();
      fresh.set(item.key, { sig: item.sig, node });
      return node;
    });
    container._nodes = fresh;
    let cursor = container.firstChild;
    for (const node of nodes) {
      if (node === cursor) {
        cursor = cursor.nextSibling;
        continue;
      }
      container.insertBefore(node, cursor);
    }
    while (cursor) {
      const next = cursor.nextSibling;
      cursor.remove();
      cursor = next;
    }
  }

  const isTopLevel = (m) => !m.thread_ts || m.thread_ts === m.ts;

  function splitThreads(messages) {
    const top = [];
    const replies = new Map();
    for (const m of messages) {
      if (isTopLevel(m)) top.push(m);
      else {
        if (!replies.has(m.thread_ts)) replies.set(m.thread_ts, []);
        replies.get(m.thread_ts).push(m);
      }
    }
    return { top, replies };
  }

  function atBottom(el) {
    return el.scrollHeight - el.scrollTop - el.clientHeight < 40;
  }

  function renderMessages(ctxKey) {
    const list = $("messages");
    const switched = renderedConv !== selectedConv;
    const pinned = switched || atBottom(list);
    renderedConv = selectedConv;
    const messages = (state.messages && state.messages[selectedConv]) || [];
    const { top, replies } = splitThreads(messages);
    const zone = myZone();
    const conv = (state.conversations || []).find((c) => c.id === selectedConv);
    const items = [{ key: "intro", sig: JSON.stringify(conv || null), build: () => conversationIntro(conv) }];
    let lastDay = null;
    for (const m of top) {
      const day = formatSlackDate(Number(m.ts), "{date_num}", zone);
      if (day !== lastDay) {
        lastDay = day;
        items.push({ key: `day:${day}`, sig: day, build: () => dayDivider(m.ts) });
      }
      const thread = replies.get(m.ts) || [];
      items.push({
        key: `msg:${m.ts}`,
        sig: JSON.stringify([m, thread.length, thread.length ? thread[thread.length - 1].ts : null]),
        build: () => messageElement(m, selectedConv, thread, true),
      });
    }
    reconcile(list, items, `${ctxKey}|${selectedConv}`);
    if (pinned) list.scrollTop = list.scrollHeight;
  }

  function conversationIntro(conv) {
    if (!conv) return h("div", { class: "conversation-intro" });
    if (conv.kind === "channel") {
      return h("div", { class: "conversation-intro" },
        h("h2", null, `# ${conv.name}`),
        h("p", null, "This is the very beginning of the ", h("strong", null, `#${conv.name}`),
          " channel. Try ", h("code", { class: "mrkdwn-code" }, "/dialog help"), "."));
    }
    return h("div", { class: "conversation-intro" },
      h("h2", null, conv.name),
      h("p", null, "This is your direct message with ", h("strong", null, bot().real_name || "Dialogbot"),
        ". It sends you invitations, reminders and confirmations here."));
  }

  function dayDivider(ts) {
    const zone = myZone();
    const p = wallParts(Number(ts), zone);
    const rel = relativeDay(p, zone);
    const label = rel === "today" ? "Today" : rel === "yesterday" ? "Yesterday"
      : `${p.weekday}, ${MONTHS[p.month - 1]} ${ordinal(p.day)}`;
    return h("div", { class: "day-divider", role: "separator" }, h("span", null, label));
  }

  function messageElement(m, channel, thread, showThreadLink) {
    const author = m.user || m.bot_id || "";
    const fromBot = isBotUser(author) || (!m.user && Boolean(m.bot_id));
    const name = fromBot ? bot().real_name || "Dialogbot" : displayName(author);
    const node = h("div", { class: `message${m.ephemeral ? " ephemeral" : ""}${fromBot ? " from-bot" : ""}`, data: { ts: m.ts } });
    node.append(h("div", {
      class: `avatar${fromBot ? " avatar-bot" : ""}`, "aria-hidden": "true",
      style: fromBot ? null : `background-color: ${avatarColour(author)}`,
    }, fromBot ? "D" : initials(name)));
    const body = h("div", { class: "message-body" });
    if (m.ephemeral) body.append(h("div", { class: "ephemeral-label" }, "Only visible to you"));
    const header = h("div", { class: "message-header" }, h("span", { class: "author" }, name));
    if (fromBot) header.append(h("span", { class: "app-badge" }, "APP"));
    header.append(h("time", { class: "message-time", title: longTime(m.ts), datetime: new Date(Number(m.ts) * 1000).toISOString() }, clockTime(m.ts)));
    body.append(header);

    const ctx = { surface: "message", channel, ts: m.ts, ephemeral: Boolean(m.ephemeral) };
    const content = h("div", { class: "message-content" });
    if (Array.isArray(m.blocks) && m.blocks.length) content.append(renderBlocks(m.blocks, ctx));
    else content.append(renderMrkdwn(m.text || "", h("div", { class: "mrkdwn message-text" })));
    if (m.edited) content.append(h("span", { class: "edited" }, "(edited)"));
    body.append(content);

    if (showThreadLink && thread.length) {
      const last = thread[thread.length - 1];
      body.append(h("button", {
        type: "button", class: "thread-link", data: { threadTs: m.ts },
        onclick: () => openThreadPane(channel, m.ts),
      }, h("span", { class: "thread-count" }, thread.length === 1 ? "1 reply" : `${thread.length} replies`),
      h("span", { class: "thread-last" }, `Last reply ${clockTime(last.ts)}`)));
    }
    node.append(body);
    return node;
  }

  // ---- thread pane --------------------------------------------------------------------------

  function openThreadPane(channel, ts) {
    openThread = { channel, ts };
    renderThread(contextKey());
    $("thread-close").focus();
  }

  function closeThreadPane() {
    openThread = null;
    $("thread").hidden = true;
    $("app").classList.remove("with-thread");
  }

  function renderThread(ctxKey) {
    const pane = $("thread");
    if (!openThread || !state) return closeThreadPane();
    const messages = (state.messages && state.messages[openThread.channel]) || [];
    const parent = messages.find((m) => m.ts === openThread.ts);
    if (!parent || openThread.channel !== selectedConv) return closeThreadPane();
    const replies = messages.filter((m) => m.thread_ts === openThread.ts && m.ts !== openThread.ts);
    const list = $("thread-messages");
    const wasHidden = pane.hidden;
    pane.hidden = false;
    $("app").classList.add("with-thread");
    const pinned = wasHidden || atBottom(list);
    $("thread-subtitle").textContent = conversationLabel(openThread.channel);
    const items = [
      { key: "parent", sig: JSON.stringify(parent), build: () => messageElement(parent, openThread.channel, [], false) },
      {
        key: "count", sig: String(replies.length),
        build: () => h("div", { class: "thread-divider" }, h("span", null, replies.length === 1 ? "1 reply" : `${replies.length} replies`)),
      },
      ...replies.map((r) => ({ key: `msg:${r.ts}`, sig: JSON.stringify(r), build: () => messageElement(r, openThread.channel, [], false) })),
    ];
    reconcile(list, items, `${ctxKey}|${openThread.channel}|${openThread.ts}`);
    if (pinned) list.scrollTop = list.scrollHeight;
  }

  // ---- Home ---------------------------------------------------------------------------------

  let homeCtx = null;
  function renderHome(ctxKey) {
    const container = $("home");
    const view = state.home;
    const sig = JSON.stringify(view || null);
    if (homeRender.sig === sig && homeRender.ctx === ctxKey && container.firstChild) return;
    homeRender = { sig, ctx: ctxKey };
    const scroll = container.scrollTop;
    if (!view) {
      homeCtx = null;
      container.replaceChildren(h("div", { class: "home-empty" }, "Opening Home…"));
      return;
    }
    homeCtx = { surface: "view", viewId: view.id, isModal: false, controls: new Map(), wrappers: new Map() };
    container.replaceChildren(h("div", { class: "home-content", data: { viewId: view.id } }, renderBlocks(view.blocks, homeCtx)));
    container.scrollTop = scroll;
  }

  function maybeOpenHome() {
    if (selectedConv !== "home" || !selectedUser || homePostedFor === selectedUser) return;
    homePostedFor = selectedUser;
    api("/sandbox/api/home", { user: selectedUser }).then((result) => {
      if (!result.ok) showError(result.error || "Home could not be opened.");
    });
  }

  // ---- modal --------------------------------------------------------------------------------

  let modalCtx = null;
  let lastFocusBeforeModal = null;

  function renderModal(ctxKey) {
    const overlay = $("modal");
    const current = state.modal && state.modal.view;
    if (closingViewId && (!current || current.id !== closingViewId)) closingViewId = null;
    const view = current && current.id !== closingViewId ? current : null;
    if (!view) {
      if (!overlay.hidden) hideModal();
      return;
    }
    const sig = JSON.stringify(view);
    if (modal.id === view.id && modal.sig === sig && modal.ctx === ctxKey && !overlay.hidden) return;
    const sameView = modal.id === view.id && !overlay.hidden;
    const body = $("modal-body");

    // Remember focus and scroll so that an update (same view, new hash) does not disturb typing.
    let focus = null;
    const active = document.activeElement;
    if (sameView && active && body.contains(active)) {
      const holder = active.closest("[data-action-id]");
      focus = {
        blockId: holder && holder.dataset.blockId,
        value: active.type === "checkbox" || active.type === "radio" ? active.value : null,
        start: typeof active.selectionStart === "number" ? active.selectionStart : null,
        end: typeof active.selectionEnd === "number" ? active.selectionEnd : null,
      };
    }
    const scroll = sameView ? body.scrollTop : 0;

    if (overlay.hidden) lastFocusBeforeModal = document.activeElement;
    modal = { id: view.id, sig, ctx: ctxKey };
    modalCtx = { surface: "view", viewId: view.id, isModal: true, controls: new Map(), wrappers: new Map() };
    $("modal-title").textContent = emojify(plainText(view.title, "App"));
    body.replaceChildren(renderBlocks(view.blocks, modalCtx));
    body.dataset.viewId = view.id;
    if (!sameView) $("modal-error").hidden = true;

    const footer = $("modal-footer");
    const closeButton = h("button", { type: "button", id: "modal-close", class: "bk-button", onclick: closeModal },
      plainText(view.close, "Cancel"));
    footer.replaceChildren(closeButton);
    if (view.submit) {
      footer.append(h("button", {
        type: "button", id: "modal-submit", class: "bk-button bk-button-primary",
        disabled: submittingViews.has(view.id), onclick: submitModal,
      }, plainText(view.submit, "Submit")));
    }
    overlay.hidden = false;
    $("app").inert = true; // keep focus and assistive technology inside the dialog
    body.scrollTop = scroll;

    if (focus && focus.blockId) {
      let target = [...body.querySelectorAll("[data-block-id][data-action-id]")]
        .find((e) => e.dataset.blockId === focus.blockId);
      if (target && focus.value != null) {
        target = [...target.querySelectorAll("input")].find((i) => i.value === focus.value) || target;
      }
      if (target) {
        target.focus({ preventScroll: true });
        if (focus.start != null && typeof target.setSelectionRange === "function") {
          try {
            target.setSelectionRange(focus.start, focus.end);
          } catch (err) {
            // Inputs such as type=number do not have a selection.
          }
        }
      }
    } else if (!sameView) {
      const first = [...modalCtx.controls.values()][0];
      if (first) first.focus();
      else closeButton.focus();
    }
  }

  function hideModal() {
    $("modal").hidden = true;
    $("app").inert = false;
    $("modal-body").replaceChildren();
    $("modal-footer").replaceChildren();
    $("modal-error").hidden = true;
    modal = { id: null, sig: null, ctx: null };
    modalCtx = null;
    const back = lastFocusBeforeModal;
    lastFocusBeforeModal = null;
    if (back && document.contains(back) && !back.closest("[hidden]")) back.focus();
    else if (!$("composer-area").hidden) $("composer").focus();
  }

  async function closeModal() {
    if (!modalCtx) return;
    const viewId = modalCtx.viewId;
    closingViewId = viewId;
    hideModal();
    const result = await api("/sandbox/api/close", { user: selectedUser, view_id: viewId });
    if (!result.ok) {
      if (closingViewId === viewId) closingViewId = null;
      if (state) renderModal(contextKey());
      showError(result.error || "The form could not be closed.", "modal");
    }
  }

  async function submitModal() {
    if (!modalCtx) return;
    const ctx = modalCtx;
    const viewId = ctx.viewId;
    if (submittingViews.has(viewId)) return;
    submittingViews.add(viewId);
    const button = $("modal-submit");
    if (button) button.disabled = true;
    $("modal-error").hidden = true;
    for (const wrapper of ctx.wrappers.values()) clearFieldError(wrapper);
    let result;
    try {
      result = await api("/sandbox/api/submit", { user: selectedUser, view_id: viewId, values: collectValues(ctx) });
    } finally {
      submittingViews.delete(viewId);
      const now = $("modal-submit");
      if (now && modalCtx && modalCtx.viewId === viewId) now.disabled = false;
    }
    if (!modalCtx || modalCtx.viewId !== viewId) return;
    if (!result.ok) {
      showError(result.error || "The form could not be sent.", "modal");
      return;
    }
    const errors = result.errors || {};
    let firstInvalid = null;
    for (const [blockId, message] of Object.entries(errors)) {
      const live = modalCtx.wrappers.get(blockId);
      if (!live) {
        showError(String(message), "modal");
        continue;
      }
      live.classList.add("has-error");
      const errId = nextId("error");
      live.append(h("div", { class: "field-error", id: errId, role: "alert" }, String(message)));
      for (const e of live.querySelectorAll("[data-action-id]")) {
        e.setAttribute("aria-invalid", "true");
        e.setAttribute("aria-describedby", errId);
      }
      if (!firstInvalid) firstInvalid = modalCtx.controls.get(blockId);
    }
    if (firstInvalid) firstInvalid.focus();
  }

  // ------------------------------------------------------------------------------------------
  // Composer and navigation
  // ------------------------------------------------------------------------------------------

  let sending = false;
  async function send() {
    const composer = $("composer");
    const text = composer.value;
    if (!text.trim() || sending || !selectedUser || !selectedConv || PANELS.has(selectedConv)) return;
    sending = true;
    $("send").disabled = true;
    const result = await api("/sandbox/api/send", { user: selectedUser, channel: selectedConv, text });
    sending = false;
    $("send").disabled = false;
    if (result.ok) {
      hideError();
      if (composer.value === text) composer.value = "";
      autosize();
      const list = $("messages");
      list.scrollTop = list.scrollHeight;
    } else {
      showError(result.error || "The message could not be sent.");
    }
    composer.focus();
  }

  function autosize() {
    const composer = $("composer");
    composer.style.height = "auto";
    composer.style.height = `${Math.min(composer.scrollHeight, 200)}px`;
  }

  function selectConversation(id) {
    if (id !== selectedConv) {
      selectedConv = id;
      closeThreadPane();
      hideError();
    }
    if (id === "home") homePostedFor = null; // each selection of Home opens it again
    writeHash();
    if (state) {
      render();
      maybeOpenHome();
    }
    if (!PANELS.has(id)) $("composer").focus();
  }

  function writeHash() {
    const params = new URLSearchParams();
    if (selectedUser) params.set("user", selectedUser);
    if (selectedConv) params.set("c", selectedConv);
    const hash = `#${params.toString()}`;
    if (location.hash !== hash) history.replaceState(null, "", hash);
  }

  function readHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    return { user: params.get("user") || null, conv: params.get("c") || null };
  }

  function onHashChange() {
    const { user, conv } = readHash();
    if (user && user !== selectedUser) switchUser(user);
    if (conv && conv !== selectedConv) selectConversation(conv);
  }

  function start() {
    const { user, conv } = readHash();
    selectedUser = user;
    selectedConv = conv;

    $("user-switcher").addEventListener("change", (event) => switchUser(event.target.value));
    $("conversations").addEventListener("click", (event) => {
      const button = event.target.closest("[data-conversation]");
      if (button) selectConversation(button.dataset.conversation);
    });
    const composer = $("composer");
    composer.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send();
      }
    });
    composer.addEventListener("input", autosize);
    $("send").addEventListener("click", send);
    $("thread-close").addEventListener("click", closeThreadPane);
    $("modal-x").addEventListener("click", closeModal);
    $("error-dismiss").addEventListener("click", hideError);
    document.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      if (!$("modal").hidden) {
        event.preventDefault();
        closeModal();
      } else if (openThread) {
        closeThreadPane();
      }
    });
    window.addEventListener("hashchange", onHashChange);
    // The Mailbox follows its own server (the SMTP one), not the workspace's.
    mailbox.start(() => {
      if (state) renderSidebar();
    }, myZone);
    pollLoop();
  }

  // Exposed for debugging in the console only; the page does not depend on it.
  window.dialogSandbox = {
    get state() { return state; },
    epochToWall,
    formatSlackDate,
    renderMrkdwn: (text) => renderMrkdwn(text, document.createElement("div")),
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
