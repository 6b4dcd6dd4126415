/* 支援策マッチ widget: <script src="https://HOST/widget.js" data-key="smk_…" data-target="#shien"
   data-color="#0b6e4f" data-logo="https://…/logo.png" data-limit="5" async></script>
   Renders the questionnaire and the results inside the target element (Shadow DOM, so the partner's CSS
   and ours do not mix), as wide as its container. Calls /api/v1 with the partner's key: the API answers
   only origins on that key's allow-list, and our own origin (the iframe variant, /widget/frame, runs this
   script in a page of ours). */
(function () {
  "use strict";
  var script = document.currentScript;
  var api = new URL(script.src).origin;
  var opt = script.dataset;
  var key = opt.key || "";
  var color = /^#[0-9a-fA-F]{3,8}$/.test(opt.color || "") ? opt.color : "#0b6e4f";
  var fields = (opt.questions || "prefecture,industry,employees,capital_yen,purposes").split(",");
  var limit = parseInt(opt.limit || "5", 10);
  var host = opt.target ? document.querySelector(opt.target) : null;
  if (!host) { host = document.createElement("div"); script.parentNode.insertBefore(host, script); }
  host.setAttribute("data-shien-widget", "");
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k]; else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function call(path, body) {
    var headers = { "Content-Type": "application/json" };
    if (key) headers.Authorization = "Bearer " + key;
    return fetch(api + "/api/v1" + path, body ? { method: "POST", headers: headers, body: JSON.stringify(body) }
                                              : { headers: headers })
      .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw j; return j; }); });
  }

  var style = el("style", { text:
    ":host{display:block;width:100%;box-sizing:border-box;font-family:system-ui,'Noto Sans CJK JP',sans-serif}" +
    ".w{border:2px solid " + color + ";border-radius:8px;padding:12px;box-sizing:border-box;width:100%}" +
    "header{display:flex;align-items:center;gap:8px;margin-bottom:8px}header img{max-height:32px}" +
    "h2{font-size:1.1rem;margin:0;color:" + color + "}label{display:block;margin:8px 0 2px;font-weight:600}" +
    "select,input{width:100%;box-sizing:border-box;padding:6px;font-size:1rem}" +
    "button{margin-top:12px;background:" + color + ";color:#fff;border:0;border-radius:6px;padding:10px 16px;font-size:1rem;cursor:pointer}" +
    "ol{padding-left:1.2em}li{margin:8px 0}.s{display:inline-block;padding:0 6px;border-radius:4px;background:" + color + ";color:#fff;font-size:.8rem;margin-right:4px}" +
    ".err{color:#b00020}" });
  var logo = opt.logo ? el("img", { src: opt.logo, alt: opt.partnerName || "" }) : null;
  var form = el("form", { "aria-label": "支援策の診断" });
  var results = el("div", { "aria-live": "polite", "class": "results" });
  root.appendChild(style);
  root.appendChild(el("div", { "class": "w" }, [el("header", {}, [logo, el("h2", { text: opt.title || "使える支援策を探す" })]), form, results]));

  // The owner types everyday words (「パン屋」); the industries they may mean are offered to choose from, and only
  // the chosen JSIC code is sent. Words never chosen from leave the industry unknown.
  function industryInput(q, id) {
    var words = el("input", { id: id, type: "text", placeholder: "例: パン屋、ソフト開発、民宿", "data-words": "" });
    var choices = el("select", { name: q.field, "aria-label": "当てはまる業種", hidden: "" });
    var timer = null;
    words.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = words.value.trim();
        choices.textContent = "";
        if (!text) { choices.hidden = true; return; }
        call("/industries?q=" + encodeURIComponent(text.slice(0, 40))).then(function (found) {
          choices.appendChild(el("option", { value: "", text: found.choices.length ? "当てはまるものを選んでください" : "見つかりませんでした" }));
          found.choices.forEach(function (c) {
            choices.appendChild(el("option", { value: c.code, text: c.hint ? c.label + "：" + c.hint : c.label }));
          });
          if (found.choices.length === 1) choices.value = found.choices[0].code;
          choices.hidden = false;
          notifySize();
        }).catch(function () { choices.hidden = true; });
      }, 250);
    });
    return [words, choices];
  }

  function input(q) {
    var id = "q-" + q.field;
    var box = el("div", {}, [el("label", { "for": id, text: q.text })]);
    var field;
    if (q.type === "industry") {
      industryInput(q, id).forEach(function (f) { box.appendChild(f); });
      return box;
    }
    if (q.options && q.options.length) {
      field = el("select", { id: id, name: q.field });
      if (q.type === "multi") field.setAttribute("multiple", "");
      else field.appendChild(el("option", { value: "", text: "分からない" }));
      q.options.forEach(function (o) { field.appendChild(el("option", { value: o.value, text: o.label })); });
    } else {
      field = el("input", { id: id, name: q.field, type: q.type === "integer" || q.type === "number" ? "number" : "text",
                            placeholder: "分からない場合は空欄" });
    }
    field.dataset.type = q.type;
    box.appendChild(field);
    return box;
  }

  function profile() {
    var p = {};
    Array.prototype.forEach.call(form.querySelectorAll("select[name],input[name]"), function (f) {
      if (f.multiple) {
        var v = Array.prototype.filter.call(f.options, function (o) { return o.selected; }).map(function (o) { return o.value; });
        if (v.length) p[f.name] = v;
      } else if (f.value !== "") {
        p[f.name] = f.dataset.type === "integer" ? parseInt(f.value, 10) : f.dataset.type === "number" ? Number(f.value) : f.value;
      }
    });
    return p;
  }

  function show(body) {
    results.textContent = "";
    var list = el("ol", {});
    body.results.forEach(function (r) {
      var link = r.program.url ? el("a", { href: r.program.url, target: "_blank", rel: "noopener", text: r.program.name })
                               : el("span", { text: r.program.name });
      list.appendChild(el("li", { "class": "result", "data-program": r.program.id },
        [el("span", { "class": "s", text: r.status_label }), link,
         el("div", { text: r.program.summary })]));
    });
    results.appendChild(el("p", { text: "対象 " + body.counts.eligible + "件・要確認 " + body.counts.undetermined + "件" }));
    results.appendChild(list);
    notifySize();
  }

  // In an iframe (/widget/frame) the parent page cannot see our height: tell it, whenever it changes.
  function notifySize() {
    if (window.parent !== window && document.body) {
      window.parent.postMessage({ shienWidgetHeight: document.body.scrollHeight }, "*");
    }
  }
  if (window.parent !== window && window.ResizeObserver) new ResizeObserver(notifySize).observe(document.documentElement);

  call("/questions").then(function (bank) {
    bank.questions.filter(function (q) { return fields.indexOf(q.field) >= 0; }).forEach(function (q) { form.appendChild(input(q)); });
    form.appendChild(el("button", { type: "submit", text: "結果を見る" }));
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      results.textContent = "検索中…";
      call("/recommendations", { profile: profile(), limit: limit }).then(show).catch(function (problem) {
        results.textContent = "";
        results.appendChild(el("p", { "class": "err", text: (problem && problem.detail) || "エラーが発生しました" }));
      });
    });
    notifySize();
  }).catch(function (problem) {
    form.appendChild(el("p", { "class": "err", text: (problem && problem.detail) || "読み込めませんでした" }));
  });
})();
