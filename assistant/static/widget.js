/* News QA chat widget: cited answers about news articles, in any page.
 *
 * <script src="http://HOST/widget.js" data-title="Ask the news" data-greeting="Hello!"
 *         data-color="#0b5cad" data-position="right|left" data-lang="en|fr|de|es" data-token="…"
 *         data-token-url="/my-backend/newsqa-token"></script>
 *
 * Adds <newsqa-chat> (a custom element with Shadow DOM: no style bleeds in or out) that talks to
 * /api/ask/stream on the origin this script came from. Every piece of text from the server is
 * inserted with textContent / text nodes, never as HTML. No framework, no CDN, no fonts.
 */
(function () {
  "use strict";
  var TAG = "newsqa-chat";
  if (!window.customElements || customElements.get(TAG)) return;
  var script = document.currentScript;
  var BASE = script && script.src ? new URL(script.src, location.href).origin : location.origin;
  var MAX_TURNS = 20, SENT_TURNS = 10;

  var STRINGS = {
    en: {
      title: "Ask the news", open: "Open the news chat", close: "Close the chat",
      greeting: "Ask a question about the news articles. Every statement of an answer cites its source.",
      placeholder: "Type a question…", send: "Send", question: "Your question",
      sources: "Sources", closest: "Closest passages (they do not answer the question)",
      whole: "Open the whole article", hide: "Hide the article", original: "Original", loading: "Loading…",
      exportMd: "Export as Markdown", clear: "New chat", helpful: "Helpful", unhelpful: "Not helpful",
      comment: "Comment (optional)", sendFeedback: "Send feedback", thanks: "Thank you for the feedback.",
      rate: "Was this answer helpful?", thinking: "Searching the articles…", error: "Sorry, that failed:",
      searched: "Searched:", noDate: "date unknown", alsoBy: "also published by", source: "Source", you: "You", bot: "Answer",
    },
    fr: {
      title: "Questions sur l'actualité", open: "Ouvrir le chat", close: "Fermer le chat",
      greeting: "Posez une question sur les articles. Chaque affirmation d'une réponse cite sa source.",
      placeholder: "Votre question…", send: "Envoyer", question: "Votre question",
      sources: "Sources", closest: "Passages les plus proches (ils ne répondent pas à la question)",
      whole: "Ouvrir l'article entier", hide: "Masquer l'article", original: "Original", loading: "Chargement…",
      exportMd: "Exporter en Markdown", clear: "Nouvelle conversation", helpful: "Utile",
      unhelpful: "Pas utile", comment: "Commentaire (facultatif)", sendFeedback: "Envoyer l'avis",
      thanks: "Merci pour votre avis.", rate: "Cette réponse vous a-t-elle aidé ?",
      thinking: "Recherche dans les articles…", error: "Désolé, cela a échoué :", searched: "Recherche :",
      noDate: "date inconnue", alsoBy: "aussi publié par", source: "Source", you: "Vous", bot: "Réponse",
    },
    de: {
      title: "Fragen zu den Nachrichten", open: "Nachrichten-Chat öffnen", close: "Chat schließen",
      greeting: "Stellen Sie eine Frage zu den Artikeln. Jede Aussage einer Antwort nennt ihre Quelle.",
      placeholder: "Ihre Frage…", send: "Senden", question: "Ihre Frage",
      sources: "Quellen", closest: "Nächste Textstellen (sie beantworten die Frage nicht)",
      whole: "Ganzen Artikel öffnen", hide: "Artikel ausblenden", original: "Original", loading: "Lädt…",
      exportMd: "Als Markdown exportieren", clear: "Neuer Chat", helpful: "Hilfreich",
      unhelpful: "Nicht hilfreich", comment: "Kommentar (optional)", sendFeedback: "Feedback senden",
      thanks: "Danke für Ihr Feedback.", rate: "War diese Antwort hilfreich?",
      thinking: "Durchsuche die Artikel…", error: "Das ist leider fehlgeschlagen:", searched: "Gesucht:",
      noDate: "Datum unbekannt", alsoBy: "auch erschienen bei", source: "Quelle", you: "Sie", bot: "Antwort",
    },
    es: {
      title: "Pregunte a las noticias", open: "Abrir el chat", close: "Cerrar el chat",
      greeting: "Haga una pregunta sobre los artículos. Cada afirmación de una respuesta cita su fuente.",
      placeholder: "Su pregunta…", send: "Enviar", question: "Su pregunta",
      sources: "Fuentes", closest: "Pasajes más cercanos (no responden a la pregunta)",
      whole: "Abrir el artículo completo", hide: "Ocultar el artículo", original: "Original",
      loading: "Cargando…", exportMd: "Exportar como Markdown", clear: "Nuevo chat", helpful: "Útil",
      unhelpful: "No útil", comment: "Comentario (opcional)", sendFeedback: "Enviar opinión",
      thanks: "Gracias por su opinión.", rate: "¿Le ha sido útil esta respuesta?",
      thinking: "Buscando en los artículos…", error: "Lo sentimos, ha fallado:", searched: "Búsqueda:",
      noDate: "fecha desconocida", alsoBy: "también publicado por", source: "Fuente", you: "Usted", bot: "Respuesta",
    },
  };

  var STYLE = [
    ":host{all:initial;position:fixed;bottom:20px;right:20px;z-index:2147483000;",
    "font:15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1f2328;--nq-accent:#0b5cad}",
    ":host([data-position=left]){right:auto;left:20px}",
    ":host([mode=page]){position:fixed;inset:0}",
    "*{box-sizing:border-box}[hidden]{display:none!important}",
    "button{font:inherit;cursor:pointer}",
    ":focus-visible{outline:3px solid var(--nq-accent);outline-offset:2px}",
    ".launcher{width:56px;height:56px;border-radius:50%;border:0;background:var(--nq-accent);color:#fff;",
    "box-shadow:0 4px 14px rgba(0,0,0,.25);display:grid;place-items:center}",
    ".launcher svg{width:28px;height:28px;fill:currentColor}",
    ".panel{position:absolute;bottom:70px;right:0;width:min(420px,calc(100vw - 24px));",
    "height:min(640px,calc(100vh - 110px));background:#fff;border:1px solid #d0d7de;border-radius:12px;",
    "box-shadow:0 8px 30px rgba(0,0,0,.2);display:flex;flex-direction:column;overflow:hidden}",
    ":host([data-position=left]) .panel{right:auto;left:0}",
    ":host([mode=page]) .panel{position:absolute;inset:0;width:auto;height:auto;border:0;border-radius:0;box-shadow:none}",
    "@media (max-width:480px){:host(:not([mode=page])) .panel{position:fixed;inset:0;width:auto;height:auto;border-radius:0}}",
    "header{display:flex;align-items:center;gap:6px;padding:10px 12px;background:var(--nq-accent);color:#fff}",
    "h2{font-size:16px;margin:0;flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}",
    "header button{background:transparent;color:#fff;border:1px solid rgba(255,255,255,.5);border-radius:6px;",
    "padding:2px 8px;font-size:13px}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:10px;background:#f6f8fa}",
    ".msg{max-width:100%;padding:8px 10px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".user{align-self:flex-end;background:var(--nq-accent);color:#fff;max-width:85%}",
    ".bot{align-self:stretch;background:#fff;border:1px solid #d0d7de}",
    ".status{color:#57606a;font-style:italic}.note{color:#57606a;font-size:13px;margin-top:6px}",
    ".cite{border:0;background:none;color:var(--nq-accent);padding:0;font-weight:600}.warn{color:#9a6700}",
    ".answer ul{margin:4px 0;padding-left:20px;white-space:normal}.answer li{margin:3px 0;white-space:pre-wrap}",
    ".icon{width:16px;height:16px;fill:currentColor;vertical-align:-3px;flex:none}",
    "header button{display:inline-flex;align-items:center;gap:3px}",
    ".sources{margin-top:8px;white-space:normal}.sources h3{font-size:13px;margin:6px 0;color:#57606a}",
    "details{border:1px solid #d0d7de;border-radius:8px;padding:6px 8px;margin:6px 0;background:#fbfcfd}",
    "summary{cursor:pointer;font-weight:600}.meta{color:#57606a;font-size:12px;margin:4px 0}",
    ".passage,.article{white-space:pre-wrap;font-size:14px}",
    ".article{max-height:260px;overflow-y:auto;border-top:1px dashed #d0d7de;margin-top:6px;padding-top:6px}",
    "mark{background:#fde68a;color:inherit}",
    ".actions{display:flex;gap:10px;align-items:center;font-size:13px;flex-wrap:wrap}",
    ".actions button,.fb button{border:1px solid #d0d7de;background:#fff;border-radius:6px;padding:2px 8px}",
    ".actions a{color:var(--nq-accent)}",
    ".fb{display:flex;gap:6px;align-items:center;flex-wrap:wrap;margin-top:8px;font-size:13px;white-space:normal}",
    ".fb [aria-pressed=true]{background:var(--nq-accent);color:#fff}",
    ".fb input{flex:1;min-width:120px;font:inherit;padding:3px 6px;border:1px solid #d0d7de;border-radius:6px}",
    "form{display:flex;gap:8px;padding:10px;border-top:1px solid #d0d7de;background:#fff}",
    "textarea{flex:1;resize:none;font:inherit;padding:8px;border:1px solid #d0d7de;border-radius:8px;min-height:44px}",
    "form button{background:var(--nq-accent);color:#fff;border:0;border-radius:8px;padding:0 14px}",
    "form button:disabled{opacity:.6;cursor:wait}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}",
  ].join("\n");

  /* Element helper: string children become text nodes; "on*" attributes take functions only. */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k.slice(0, 2) === "on") { if (typeof v === "function") el.addEventListener(k.slice(2), v); }
      else el.setAttribute(k, v === true ? "" : String(v));
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return el;
  }

  /* Icons are inline SVG, never emoji or symbol characters: those need a font the page's
     computer may not have (an emoji shows as an empty box where no emoji font is installed). */
  var SVG = "http://www.w3.org/2000/svg";
  var ICONS = {
    chat: "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z",
    up: "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 " +
      "7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z",
    download: "M11 3h2v9.17l3.59-3.58L18 10l-6 6-6-6 1.41-1.41L11 12.17V3zM4 19h16v2H4z",
    restart: "M12 5V1L7 6l5 5V7a6 6 0 1 1-6 6H4a8 8 0 1 0 8-8z",
    close: "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z",
  };
  /* An <svg> icon; with a label it is a named image (role img, aria-label and <title>),
     without one it is decoration (aria-hidden). "down" is "up" turned half a turn. */
  function icon(name, label) {
    var svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("class", "icon");
    svg.setAttribute("focusable", "false");
    if (label) {
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", label);
      var title = document.createElementNS(SVG, "title");
      title.textContent = label;
      svg.appendChild(title);
    } else {
      svg.setAttribute("aria-hidden", "true");
    }
    var path = document.createElementNS(SVG, "path");
    path.setAttribute("d", ICONS[name === "down" ? "up" : name]);
    if (name === "down") path.setAttribute("transform", "rotate(180 12 12)");
    svg.appendChild(path);
    return svg;
  }

  /* An answer's blocks (the server's one reading of it, assistant/render.py) as DOM: list
     items in a <ul>, paragraphs as <div>, text as text nodes, each [n] a button (onCite(n)),
     a warning in italics. Never parsed as HTML. */
  function answerBlock(blocks, label, onCite) {
    var box = h("div", { class: "answer" }), list = null;
    (blocks || []).forEach(function (b) {
      var el = h(b.kind === "item" ? "li" : "div", {});
      (b.runs || []).forEach(function (r) {
        el.append(r.cite ? h("button", { class: "cite", type: "button", "aria-label": label + " " + r.cite,
          onclick: function () { onCite(Number(r.cite)); } }, "[" + Number(r.cite) + "]")
          : r.warning ? h("em", { class: "warn" }, " \u26a0 " + r.warning) : String(r.text || ""));
      });
      if (b.kind !== "item") list = null;
      else if (!list) box.appendChild(list = h("ul", {}));
      (list || box).appendChild(el);
    });
    return box;
  }

  function safeUrl(url) {
    try { var u = new URL(url); return u.protocol === "http:" || u.protocol === "https:" ? u.href : null; }
    catch (e) { return null; }
  }

  /* Text for the Markdown export, shown as the characters it is: never a link, an image or
     markup (the rules of markdown_text in assistant/html.py). */
  var MD_ACTIVE = /[\\`*_\[\]~@]|!(?=\[)|\${2,}|(?:https?|ftp)(?=:\/\/)|www(?=\.)|^[ \t]{0,3}#/gim;
  function mdText(text) {
    return String(text || "").replace(MD_ACTIVE, function (m) {
      if (m[0] === "$") return m.replace(/\$/g, "\\$");
      if (m[m.length - 1] === "#") return m.slice(0, -1) + "\\#";
      if (/^[a-z]+$/i.test(m)) return m + "\\"; /* escapes the ":" or "." after a scheme or www */
      return "\\" + m;
    }).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  /* An answer's blocks for the export (blocks_markdown in assistant/html.py, without chips). */
  function mdBlocks(blocks) {
    return (blocks || []).map(function (b, i) {
      var out = "";
      (b.runs || []).forEach(function (r) {
        if (r.cite) { if (out.slice(-1) === "!") out = out.slice(0, -1) + "\\!"; out += "[" + Number(r.cite) + "]"; }
        else out += r.warning ? " \u26a0\ufe0f *" + mdText(r.warning) + "*" : mdText(r.text);
      });
      var sep = !i ? "" : b.kind === "item" && blocks[i - 1].kind === "item" ? "\n" : "\n\n";
      return sep + (b.kind === "item" ? "- " : "") + out;
    }).join("");
  }

  /* A text with text[start:end] inside <mark>: three text nodes, no HTML parsing. */
  function marked(cls, text, start, end) {
    var s = Math.max(0, Math.min(start, text.length)), e = Math.max(s, Math.min(end, text.length));
    return h("div", { class: cls }, text.slice(0, s), h("mark", {}, text.slice(s, e)), text.slice(e));
  }

  async function* events(response) {
    var reader = response.body.getReader(), decoder = new TextDecoder(), buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
      var cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        var block = buffer.slice(0, cut), name = "message", data = "";
        buffer = buffer.slice(cut + 2);
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) name = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data += line.slice(5).trim();
        });
        if (data) yield { name: name, data: JSON.parse(data) };
      }
    }
  }

  class NewsQaChat extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      var d = this.dataset;
      var lang = (d.lang || document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
      this.t = STRINGS[lang] || STRINGS.en;
      this.page = this.getAttribute("mode") === "page";
      this.key = "newsqa-chat:" + BASE;
      this.turns = this.load();
      var root = this.attachShadow({ mode: "open" });
      if (root.adoptedStyleSheets && window.CSSStyleSheet && "replaceSync" in CSSStyleSheet.prototype) {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLE);
        root.adoptedStyleSheets = [sheet];
      } else {
        root.appendChild(h("style", {}, STYLE));
      }
      if (d.color && window.CSS && window.CSS.supports("color", d.color)) this.style.setProperty("--nq-accent", d.color);
      this.build(root, d.title || this.t.title);
      this.render();
    }

    build(root, title) {
      var t = this.t, self = this;
      var svg = icon("chat");
      this.launcher = h("button", { class: "launcher", type: "button", "aria-label": t.open,
        "aria-expanded": "false", "aria-controls": "panel", onclick: function () { self.toggle(true); } }, svg);
      this.log = h("div", { class: "log", role: "log", "aria-live": "polite", tabindex: "0", "aria-label": title });
      this.input = h("textarea", { id: "q", rows: "2", placeholder: t.placeholder, maxlength: "2000",
        onkeydown: function (e) {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); self.submit(); }
        } });
      this.sendButton = h("button", { type: "submit" }, t.send);
      this.panel = h("section", { class: "panel", id: "panel", role: "dialog", "aria-labelledby": "title",
        hidden: !this.page, onkeydown: function (e) { if (e.key === "Escape" && !self.page) self.toggle(false); } },
        h("header", {},
          h("h2", { id: "title" }, title),
          h("button", { type: "button", title: t.exportMd, "aria-label": t.exportMd,
            onclick: function () { self.exportMarkdown(); } }, icon("download"), "MD"),
          h("button", { type: "button", title: t.clear, "aria-label": t.clear,
            onclick: function () { self.turns = []; self.save(); self.render(); self.input.focus(); } }, icon("restart", t.clear)),
          this.page ? null : h("button", { type: "button", class: "close", "aria-label": t.close, title: t.close,
            onclick: function () { self.toggle(false); } }, icon("close", t.close))),
        this.log,
        h("form", { onsubmit: function (e) { e.preventDefault(); self.submit(); } },
          h("label", { class: "sr", for: "q" }, t.question), this.input, this.sendButton));
      root.appendChild(this.page ? this.panel : h("div", {}, this.panel, this.launcher));
    }

    toggle(open) {
      this.panel.hidden = !open;
      this.launcher.setAttribute("aria-expanded", String(open));
      this.launcher.hidden = open && window.innerWidth <= 480;
      if (open) { this.input.focus(); this.log.scrollTop = this.log.scrollHeight; }
      else this.launcher.focus();
    }

    load() {
      try { var v = JSON.parse(localStorage.getItem(this.key) || "[]"); return Array.isArray(v) ? v : []; }
      catch (e) { return []; }
    }

    save() {
      var turns = this.turns.slice(-MAX_TURNS);
      while (turns.length) {
        try { localStorage.setItem(this.key, JSON.stringify(turns)); return; }
        catch (e) { turns.shift(); } /* storage full: forget the oldest turn */
      }
    }

    render() {
      this.log.replaceChildren(h("div", { class: "msg bot" }, this.dataset.greeting || this.t.greeting));
      var self = this;
      this.turns.forEach(function (turn) { self.showTurn(turn); });
    }

    showTurn(turn) {
      this.log.appendChild(h("div", { class: "msg user", "aria-label": this.t.you }, turn.q));
      var bubble = h("div", { class: "msg bot", "aria-label": this.t.bot });
      this.log.appendChild(bubble);
      if (turn.a) this.showAnswer(bubble, turn.a);
      return bubble;
    }

    async headers() {
      var headers = { "Content-Type": "application/json" };
      var token = this.dataset.token;
      if (!token && this.dataset.tokenUrl) {
        if (!this.fetched || this.fetched.expires * 1000 < Date.now() + 30000) {
          var r = await fetch(this.dataset.tokenUrl, { credentials: "include" });
          var body = (r.headers.get("content-type") || "").indexOf("json") >= 0 ? await r.json() : { token: await r.text() };
          this.fetched = { token: String(body.token || "").trim(), expires: Number(body.expires) || Date.now() / 1000 + 300 };
        }
        token = this.fetched.token;
      }
      if (token) headers.Authorization = "Bearer " + token;
      return headers;
    }

    async api(path, options) {
      options = options || {};
      options.headers = await this.headers();
      var response = await fetch(BASE + path, options);
      if (!response.ok) {
        var message = "HTTP " + response.status;
        try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
        throw new Error(message);
      }
      return response;
    }

    async submit() {
      var question = this.input.value.trim();
      if (!question || this.busy) return;
      this.busy = true;
      this.sendButton.disabled = true;
      this.log.setAttribute("aria-busy", "true");
      this.input.value = "";
      var turn = { q: question };
      var conversation = this.turns.filter(function (x) { return x.a; }).map(function (x) { return x.q; });
      var bubble = this.showTurn({ q: question });
      var status = h("span", { class: "status" }, this.t.thinking), text = h("span", {});
      bubble.replaceChildren(status, text);
      this.log.scrollTop = this.log.scrollHeight;
      try {
        var response = await this.api("/api/ask/stream", { method: "POST",
          body: JSON.stringify({ question: question, conversation: conversation.slice(-SENT_TURNS) }) });
        for await (var ev of events(response)) {
          if (ev.name === "status") status.textContent = ev.data.text;
          else if (ev.name === "token") { status.textContent = ""; text.appendChild(document.createTextNode(ev.data.text)); }
          else if (ev.name === "answer") turn.a = ev.data;
          else if (ev.name === "error") throw new Error(ev.data.error);
        }
        if (!turn.a) throw new Error("no answer");
        this.showAnswer(bubble, turn.a);
        this.turns.push(turn);
        this.save();
      } catch (err) {
        bubble.replaceChildren(this.t.error + " " + (err && err.message ? err.message : String(err)));
      } finally {
        this.busy = false;
        this.sendButton.disabled = false;
        this.log.removeAttribute("aria-busy");
        this.input.focus();
      }
    }

    showAnswer(bubble, a) {
      var t = this.t, self = this, cards = [];
      /* Turns saved before answers carried blocks: their text, as one paragraph. */
      var blocks = a.blocks || [{ kind: "paragraph", runs: [{ text: String(a.answer || "") }] }];
      var text = answerBlock(blocks, t.source, function (n) {
        var c = cards[n];
        if (c) { c.open = true; c.querySelector("summary").focus(); }
      });
      var parts = [text];
      if (a.notice) parts.push(h("div", { class: "note" }, a.notice));
      if (a.searched) parts.push(h("div", { class: "note" }, t.searched + " " + a.searched));
      var cited = (a.citations || []).length ? a.citations : a.closest || [];
      if (cited.length) {
        var box = h("div", { class: "sources" }, h("h3", {}, a.citations && a.citations.length ? t.sources : t.closest));
        cited.forEach(function (c, i) {
          var card = self.sourceCard(c, !(a.citations && a.citations.length), i === 0);
          cards[c.n] = card;
          box.appendChild(card);
        });
        parts.push(box);
      }
      parts.push(this.feedback(a));
      bubble.replaceChildren.apply(bubble, parts);
    }

    sourceCard(c, closest, open) {
      var t = this.t, self = this;
      var offset = typeof c.passage_start === "number" ? c.passage_start : 0;
      var start = c.start - offset, end = c.end - offset, passage = String(c.text || "");
      if (passage.slice(start, end) !== c.sentence) {
        start = passage.indexOf(c.sentence || "\u0000");
        end = start < 0 ? -1 : start + c.sentence.length;
      }
      var also = (c.also_published_by || []).length ? t.alsoBy + " " + c.also_published_by.join(", ") : "";
      var meta = [c.date || t.noDate, c.source, c.speaker, also].filter(Boolean).join(" · ");
      var article = h("div", { class: "article", hidden: true, tabindex: "0" });
      var wholeButton = h("button", { type: "button", "aria-expanded": "false" }, t.whole);
      wholeButton.addEventListener("click", function () { self.toggleArticle(c, article, wholeButton); });
      var href = safeUrl(c.url);
      return h("details", { open: open },
        h("summary", {}, (closest ? "" : "[" + c.n + "] ") + (c.title || c.article_id)),
        h("div", { class: "meta" }, meta),
        start >= 0 ? marked("passage", passage, start, end) : h("div", { class: "passage" }, passage),
        h("div", { class: "actions" }, wholeButton,
          href ? h("a", { href: href, target: "_blank", rel: "noopener noreferrer" }, t.original) : null),
        article);
    }

    async toggleArticle(c, box, button) {
      var t = this.t;
      if (!box.hidden) { box.hidden = true; button.textContent = t.whole; button.setAttribute("aria-expanded", "false"); return; }
      box.hidden = false;
      button.setAttribute("aria-expanded", "true");
      button.textContent = t.hide;
      if (box.dataset.loaded) return;
      box.replaceChildren(t.loading);
      try {
        var article = await (await this.api("/api/articles/" + encodeURIComponent(c.article_id))).json();
        var shown = marked("article-text", String(article.text || ""), c.start, c.end);
        box.replaceChildren(shown);
        box.dataset.loaded = "1";
        var mark = shown.querySelector("mark");
        if (mark) box.scrollTop = Math.max(0, mark.offsetTop - box.offsetTop - 40);
      } catch (err) {
        box.replaceChildren(t.error + " " + err.message);
      }
    }

    feedback(a) {
      var t = this.t, self = this, rating = 0;
      var row = h("div", { class: "fb" }, h("span", {}, t.rate));
      var comment = h("input", { type: "text", maxlength: "2000", placeholder: t.comment, "aria-label": t.comment, hidden: true,
        onkeydown: function (e) { if (e.key === "Enter") { e.preventDefault(); send(); } } });
      var sendButton = h("button", { type: "button", hidden: true, onclick: function () { send(); } }, t.sendFeedback);
      function thumb(value, label) {
        return h("button", { type: "button", class: value > 0 ? "up" : "down", "aria-label": label, title: label,
          "aria-pressed": "false", onclick: function () {
            rating = value;
            row.querySelectorAll("[aria-pressed]").forEach(function (b) { b.setAttribute("aria-pressed", String(b === this)); }, this);
            comment.hidden = sendButton.hidden = false;
            comment.focus();
          } }, icon(value > 0 ? "up" : "down", label));
      }
      async function send() {
        if (!rating) return;
        sendButton.disabled = true;
        try {
          await self.api("/api/feedback", { method: "POST", body: JSON.stringify({
            question: a.question || "", answer: a, rating: rating, comment: comment.value.trim() }) });
          row.replaceChildren(h("span", { role: "status" }, t.thanks));
        } catch (err) {
          sendButton.disabled = false;
          row.appendChild(h("span", { role: "status" }, t.error + " " + err.message));
        }
      }
      row.append(thumb(1, t.helpful), thumb(-1, t.unhelpful), comment, sendButton);
      return row;
    }

    exportMarkdown() {
      var lines = ["# " + (this.dataset.title || this.t.title), ""];
      this.turns.forEach(function (turn) {
        var a = turn.a || {};
        lines.push("## " + mdText(String(turn.q || "").replace(/\s+/g, " ")), "", mdBlocks(a.blocks), "");
        if (a.searched) lines.push("_Searched: " + mdText(a.searched) + "_", "");
        (a.citations || []).forEach(function (c) {
          var where = [c.source, c.date].filter(Boolean).join(", ");
          var href = safeUrl(c.url); /* percent-encoded: nothing in it ends the <…> link */
          lines.push("[" + Number(c.n) + "] " + mdText(c.title) + (where ? " — " + mdText(where) : "") +
            (href ? " <" + href + ">" : ""),
            "    > " + mdText(String(c.sentence || "").replace(/\s+/g, " ")), "");
        });
      });
      var link = h("a", { href: URL.createObjectURL(new Blob([lines.join("\n")], { type: "text/markdown" })),
        download: "news-chat-" + new Date().toISOString().slice(0, 10) + ".md" });
      this.shadowRoot.appendChild(link);
      link.click();
      link.remove();
      setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
    }
  }

  customElements.define(TAG, NewsQaChat);

  function mount() {
    if (document.querySelector(TAG)) return; /* /embed and pages that place the element themselves */
    var el = document.createElement(TAG);
    var d = script ? script.dataset : {};
    ["title", "greeting", "color", "position", "lang", "token", "tokenUrl"].forEach(function (k) {
      if (d[k]) el.dataset[k] = d[k];
    });
    document.body.appendChild(el);
  }
  if (document.body) mount();
  else document.addEventListener("DOMContentLoaded", mount);
})();
