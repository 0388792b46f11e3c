// The postback playground: sends the fields to the server as they are typed (after a
// short pause, one request at a time, the latest fields winning) and shows what it
// answers.  Nothing here talks to any server but the one that served the page.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const SETTINGS = [
    "url", "method", "body", "body_format", "headers",
    "min_delay", "max_requests", "success_response", "error_response",
  ];
  const EDITORS = ["url", "body", "headers", "record", "received"];
  const LABELS = {
    url: "Server URL", method: "HTTP method", body: "Body", body_format: "Body Format",
    headers: "HTTP Header", min_delay: "Minimum Delay", max_requests: "Maximum Requests",
    success_response: "Success Response", error_response: "Error Response",
    record: "Record", received: "Received body", options: "File options", response_status: "Response status",
  };
  const FOCUS = { options: "url" };
  const PAUSE_MS = 150;

  let options = {};
  let sample = "";
  let findings = [];
  let timer = null;
  let working = false;
  let again = false;
  let shown = 0;
  let lastStatus = "";
  let lastReceived = "";

  // -- talking to the server ---------------------------------------------------------

  async function post(path, data) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(data),
    });
    let answer = {};
    try { answer = await response.json(); } catch (_) { answer = {}; }
    if (!response.ok) {
      const error = new Error(answer.error || `the server answered ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return answer;
  }

  function state() {
    const settings = { options };
    for (const id of SETTINGS) settings[id] = $(id).value;
    return {
      settings,
      record: $("record").value,
      response: {
        status: $("response_status").value,
        headers: $("response_headers").value,
        body: $("response_body").value,
      },
      received: { body: $("received").value, extra: $("extra").value },
      pretty: $("pretty").checked,
      mask: $("mask").checked,
    };
  }

  function busy(flag) {
    document.documentElement.dataset.busy = flag ? "true" : "false";
  }

  function schedule() {
    busy(true);
    clearTimeout(timer);
    timer = setTimeout(evaluate, PAUSE_MS);
  }

  async function evaluate() {
    timer = null;
    if (working) { again = true; return; }
    working = true;
    again = false;
    const sent = state();
    let retry = 0;
    try {
      show(await post("/api/evaluate", sent), sent);
    } catch (error) {
      if (error.status === 503) { again = true; retry = 300; } else { showFailure(error); }
    } finally {
      working = false;
      if (again) setTimeout(evaluate, retry); else if (timer === null) busy(false);
    }
  }

  // -- positions and marks -----------------------------------------------------------

  // The UTF-16 index of a 1-based line and column counted in characters (code points).
  function offsetOf(text, line, column, end) {
    let index = 0;
    for (let l = 1; l < line; l += 1) {
      const next = text.indexOf("\n", index);
      if (next < 0) return text.length;
      index = next + 1;
    }
    for (let c = 1; c < column && index < text.length; c += 1) {
      if (text[index] === "\n") { if (end) index += 1; break; }
      index += text.codePointAt(index) > 0xffff ? 2 : 1;
    }
    return index;
  }

  function span(text, finding) {
    let start = offsetOf(text, finding.line, finding.column, false);
    let end = offsetOf(text, finding.end_line, finding.end_column, true);
    if (end <= start) end = Math.min(start + 1, text.length);
    if (start >= text.length && text.length > 0) start = text.length - 1;
    return [start, Math.max(end, start + 1)];
  }

  function drawMarks(id, text, mine) {
    const mirror = $(id).parentElement.querySelector(".mirror");
    mirror.replaceChildren();
    const spans = mine
      .filter((f) => f.line !== null)
      .map((f) => [...span(text, f), f])
      .sort((a, b) => a[0] - b[0]);
    let at = 0;
    for (const [start, end, f] of spans) {
      if (start < at) continue;
      mirror.append(text.slice(at, start));
      const mark = document.createElement("mark");
      mark.className = f.severity;
      mark.dataset.line = f.line;
      mark.dataset.column = f.column;
      mark.dataset.code = f.code;
      mark.textContent = text.slice(start, end);
      mirror.append(mark);
      at = end;
    }
    mirror.append(text.slice(at) + "\n ");
    syncScroll(id);
  }

  function syncScroll(id) {
    const area = $(id);
    const mirror = area.parentElement.querySelector(".mirror");
    mirror.scrollTop = area.scrollTop;
    mirror.scrollLeft = area.scrollLeft;
  }

  function where(f) {
    return f.line === null ? LABELS[f.field] || f.field
      : `${LABELS[f.field] || f.field}, line ${f.line}, column ${f.column}`;
  }

  function goTo(f) {
    const id = EDITORS.includes(f.field) || f.line === null ? f.field : f.field;
    const target = $(FOCUS[f.field] || id) || $("url");
    target.focus();
    if (f.line !== null && EDITORS.includes(f.field)) {
      const [start, end] = span(target.value, f);
      target.setSelectionRange(start, end);
      const line = target.value.slice(0, start).split("\n").length - 1;
      const height = parseFloat(getComputedStyle(target).lineHeight) || 20;
      target.scrollTop = Math.max(0, line * height - target.clientHeight / 3);
      syncScroll(f.field);
    }
  }

  function applyFix(f) {
    const area = $(f.field);
    const [start, end] = span(area.value, f);
    area.focus();
    area.setRangeText(f.suggestion, start, end, "end");
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // -- showing the answer --------------------------------------------------------------

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function problemItem(f) {
    const item = element("li");
    item.dataset.field = f.field;
    item.dataset.code = f.code;
    if (f.line !== null) { item.dataset.line = f.line; item.dataset.column = f.column; }
    const head = element("p");
    head.append(element("span", f.severity === "error" ? "Error" : "Warning", `severity ${f.severity}`), " ");
    head.append(element("code", f.code), " in ");
    const go = element("button", where(f), "link goto");
    go.type = "button";
    go.addEventListener("click", () => goTo(f));
    head.append(go);
    item.append(head, element("p", f.message, "message"));
    if (f.suggestion) {
      const fix = element("p", "Fix: write ", "fix");
      fix.append(element("code", f.suggestion));
      item.append(fix);
      if (EDITORS.includes(f.field) && f.line !== null) {
        const apply = element("button", `Apply the fix: ${f.suggestion}`, "apply");
        apply.type = "button";
        apply.addEventListener("click", () => applyFix(f));
        item.append(apply);
      }
    }
    return item;
  }

  function fieldProblems(sent) {
    const ids = [...SETTINGS, "record", "options", "response_status"];
    for (const id of ids) {
      const mine = findings.filter((f) => f.field === id);
      const note = $(`${id}-problems`);
      if (note) {
        note.textContent = mine.length === 0 ? "" : mine.map((f) =>
          `${f.severity === "error" ? "Error" : "Warning"}${f.line === null ? "" : ` at line ${f.line}, column ${f.column}`}: ${f.message}`).join(" ");
      }
      const control = $(id);
      if (control && id !== "options") {
        const bad = mine.some((f) => f.severity === "error");
        control.setAttribute("aria-invalid", bad ? "true" : "false");
        if (control.parentElement.classList.contains("editor")) {
          control.parentElement.classList.toggle("invalid", bad);
        }
      }
      if (EDITORS.includes(id)) {
        const text = id === "record" ? sent.record : sent.settings[id];
        if ($(id).value === text) drawMarks(id, text, mine); else drawMarks(id, $(id).value, []);
      }
    }
  }

  function summary() {
    const errors = findings.filter((f) => f.severity === "error");
    const warnings = findings.length - errors.length;
    if (findings.length === 0) return "No problems found.";
    const fields = [...new Set(findings.map((f) => LABELS[f.field] || f.field))].join(", ");
    const parts = [];
    if (errors.length) parts.push(`${errors.length} error${errors.length === 1 ? "" : "s"}`);
    if (warnings) parts.push(`${warnings} warning${warnings === 1 ? "" : "s"}`);
    return `${parts.join(" and ")} in ${fields}.`;
  }

  function setOutput(id, text, empty) {
    const node = $(id);
    node.textContent = text === null ? empty : text;
    node.classList.toggle("empty", text === null);
  }

  function show(answer, sent) {
    findings = answer.findings;
    const list = $("problems");
    list.replaceChildren(...findings.map(problemItem));
    $("no-problems").hidden = findings.length > 0;
    fieldProblems(sent);
    const text = summary();
    if (text !== lastStatus) {
      $("status").textContent = text;
      lastStatus = text;
    }
    $("status").className = `status ${findings.some((f) => f.severity === "error") ? "errors" : "clean"}`;
    const body = answer.body;
    const noBody = sent.settings.body.trim() === ""
      ? "There is no body: this postback sends none."
      : "The body is shown once it and the record have no errors.";
    setOutput("rendered", body ? body.shown : null, noBody);
    const request = answer.request;
    const noRequest = "The request is shown once every setting and the record hold.";
    setOutput("http", request ? request.http : null, noRequest);
    setOutput("curl", request ? request.curl : null, noRequest);
    $("not-before").textContent = request
      ? `${request.not_before} (${request.not_before_basis} plus the Minimum Delay)` : "–";
    showVerdict(answer.classify);
    showReceived(answer.received, sent);
    shown += 1;
    document.documentElement.dataset.shown = String(shown);
  }

  function showVerdict(outcome) {
    const verdict = $("verdict");
    const pasted = $("response_status").value.trim() !== "200"
      || $("response_headers").value !== "" || $("response_body").value !== "";
    if (!outcome || !pasted) {
      verdict.textContent = outcome ? "Paste a response above to see how it would be judged." : "–";
      verdict.className = "verdict";
      return;
    }
    verdict.textContent = `${outcome.ok ? "Success" : "Failure"}: ${outcome.reason}.`;
    verdict.className = `verdict ${outcome.ok ? "good" : "bad"}`;
  }

  // -- a received body, read back -----------------------------------------------------

  function place(field, line, column) {
    return { field, line, column, end_line: line, end_column: column, severity: "error", code: "parse-error" };
  }

  function receivedText(result, pasted) {
    if (!result) {
      return pasted ? "The received body is read once the body template has no errors."
        : "Paste a body your server received to see the record it reads.";
    }
    if (result.ok) return "It matches: the record it reads is below.";
    const at = result.line === null ? "" : ` at line ${result.line}, column ${result.column}`;
    const template = result.template_line === null ? ""
      : ` (the template's line ${result.template_line}, column ${result.template_column})`;
    return `It does not match${at}${template}: ${result.message}`;
  }

  function goToButton(text, f) {
    const go = element("button", text, "link goto");
    go.type = "button";
    go.addEventListener("click", () => goTo(f));
    return go;
  }

  function showReceived(result, sent) {
    const failed = !!result && !result.ok;
    const text = receivedText(result, sent.received.body !== "");
    if (text !== lastReceived) { $("received-status").textContent = text; lastReceived = text; }
    $("received-status").className = `verdict${result ? (result.ok ? " good" : " bad") : ""}`;
    $("received-problems").textContent = failed ? text : "";
    const marks = failed && result.line !== null ? [place("received", result.line, result.column)] : [];
    const area = $("received");
    drawMarks("received", area.value, area.value === sent.received.body ? marks : []);
    area.setAttribute("aria-invalid", failed ? "true" : "false");
    area.parentElement.classList.toggle("invalid", failed);
    const links = [];
    if (marks.length) {
      links.push(goToButton(`Go to line ${result.line}, column ${result.column} of the received body`, marks[0]));
    }
    if (failed && result.template_line !== null) {
      const f = place("body", result.template_line, result.template_column);
      links.push(goToButton(`Go to line ${result.template_line}, column ${result.template_column} of the body template`, f));
    }
    $("received-where").replaceChildren(...links);
    const none = failed ? "No record: the received body does not match the template." : "–";
    setOutput("received-record", result && result.ok ? result.record : null, none);
  }

  function showFailure(error) {
    const message = error.status
      ? `The playground refused the fields: ${error.message}`
      : "The playground server does not answer: start it again with postback serve.";
    $("status").textContent = message;
    $("status").className = "status errors";
    lastStatus = message;
  }

  // -- export, copy and import ---------------------------------------------------------

  function download(name, text, type) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type }));
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  async function exportFile(which) {
    const status = $("export-status");
    try {
      const answer = await post("/api/export", state());
      if (which === "notification") {
        download(answer.notification_name, answer.notification, "application/toml");
        status.textContent = `Downloaded ${answer.notification_name}.`;
      } else {
        download(answer.template_name, answer.template, "text/plain");
        status.textContent = `Downloaded ${answer.template_name}.`;
      }
    } catch (error) {
      status.textContent = `Cannot export: ${error.message}`;
    }
  }

  async function copy(what) {
    const text = what === "template" ? $("body").value : $(what).textContent;
    const status = $("export-status");
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = what === "template" ? "Copied the body template." : `Copied the ${what === "http" ? "HTTP request" : "curl command"}.`;
    } catch (_) {
      status.textContent = "The browser did not allow copying: select the text and copy it.";
    }
  }

  function apply(loaded) {
    const settings = loaded.settings || {};
    for (const id of SETTINGS) if (typeof settings[id] === "string") $(id).value = settings[id];
    if (settings.options) options = settings.options;
    if (typeof loaded.record === "string") $("record").value = loaded.record;
    const keys = Object.keys(options);
    $("options-note").hidden = keys.length === 0;
    $("options-note").textContent = keys.length === 0 ? "" : `The imported file also sets ${keys.map((k) => `${k} = ${JSON.stringify(options[k])}`).join(", ")}; the export keeps them.`;
    methodNote();
    for (const id of EDITORS) drawMarks(id, $(id).value, []);
  }

  async function importFile(name) {
    const status = $("files-status");
    try {
      apply(await post("/api/import", { name }));
      status.textContent = `Loaded ${name}.`;
      schedule();
    } catch (error) {
      status.textContent = `Cannot load ${name}: ${error.message}`;
    }
  }

  function listFiles(files) {
    $("files-section").hidden = files.length === 0;
    $("files").replaceChildren(...files.map((file) => {
      const item = element("li");
      const button = element("button", `Load ${file.name}`);
      button.type = "button";
      button.addEventListener("click", () => importFile(file.name));
      item.append(button, ` (${file.kind})`);
      return item;
    }));
  }

  function methodNote() {
    const get = $("method").value === "GET";
    $("body-help").textContent = get
      ? "With the HTTP method GET no body is sent: choose POST to send this body."
      : "The body template, in the Body Format chosen above. It is sent with POST only.";
  }

  // -- start ---------------------------------------------------------------------------

  async function start() {
    busy(true);
    const response = await fetch("/api/start");
    const answer = await response.json();
    sample = answer.sample;
    apply(answer.state);
    listFiles(answer.files);
    const inputs = ["record", "response_status", "response_headers", "response_body", "received", "extra"];
    for (const id of [...SETTINGS, ...inputs]) {
      $(id).addEventListener("input", schedule);
      $(id).addEventListener("change", schedule);
    }
    for (const id of EDITORS) $(id).addEventListener("scroll", () => syncScroll(id));
    $("method").addEventListener("change", methodNote);
    $("pretty").addEventListener("change", schedule);
    $("mask").addEventListener("change", schedule);
    $("use-sample").addEventListener("click", () => { $("record").value = sample; schedule(); });
    $("download-notification").addEventListener("click", () => exportFile("notification"));
    $("download-template").addEventListener("click", () => exportFile("template"));
    for (const button of document.querySelectorAll("button.copy")) {
      button.addEventListener("click", () => copy(button.dataset.copy));
    }
    $("settings").addEventListener("submit", (event) => event.preventDefault());
    document.documentElement.dataset.ready = "true";
    evaluate();
  }

  start().catch(showFailure);
})();
