//! Self-contained HTML pages: everything inline (SVG, style, script), no network.
//!
//! The pages are also well-formed XML (polyglot markup: every element closed, the
//! style and script in CDATA sections), so tests can parse them with an XML parser.

use std::fmt::Write as _;

use super::graph::graph_svg;
use super::{escape_xml, plot_svg};
use crate::number::format_number;
use crate::output::{Explanation, GraphPicture, Plot};
use crate::render::explain_line as step_line;

const STYLE: &str = r#"
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.2em; font-weight: 600; }
h1 code { font-size: 1.1em; }
#graph { overflow: auto; border: 1px solid #ddd; padding: 4px; max-height: 85vh; }
#graph svg { display: block; }
.node { cursor: default; }
.node:hover > rect, .node.input > rect { fill: #dbeeff; }
.node.current > rect { fill: #ffe08a; }
.op.current > circle { fill: #ffe08a; }
.edge.active { stroke: #d62728; stroke-width: 2.5px; }
#tip { position: fixed; background: #fffff0; border: 1px solid #888; padding: 4px 8px;
       font: 13px "DejaVu Sans Mono", Menlo, Consolas, monospace; white-space: pre; pointer-events: none; }
#controls { margin: 0.8em 0; display: flex; gap: 0.5em; align-items: center; }
#controls button { font-size: 1em; padding: 0.2em 0.9em; }
#line { font: 15px "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f6f6f6; padding: 0.5em 0.8em;
        border-left: 4px solid #ffb000; min-height: 1.3em; white-space: pre-wrap; }
#steps { font: 13px "DejaVu Sans Mono", Menlo, Consolas, monospace; max-height: 30vh; overflow: auto; }
#steps li.current { background: #ffe08a; }
"#;

/// The hover tooltip of the graph pages: a value's label, data and grad in full.
const TIP_SCRIPT: &str = r#"
var tip = document.getElementById('tip');
Array.prototype.forEach.call(document.querySelectorAll('#graph .node'), function (node) {
  node.addEventListener('mouseenter', function (event) {
    var label = node.querySelector('.label').textContent.trim();
    tip.textContent = (label || '(unlabelled)') + '\ndata ' + node.getAttribute('data-data') +
      '\ngrad ' + node.getAttribute('data-grad');
    tip.hidden = false;
    place(event);
  });
  node.addEventListener('mousemove', place);
  node.addEventListener('mouseleave', function () { tip.hidden = true; });
});
function place(event) {
  tip.style.left = (event.clientX + 14) + 'px';
  tip.style.top = (event.clientY + 14) + 'px';
}
"#;

/// Walks backward one step at a time: highlights the node whose grad flows and the
/// input that receives it, shows the step's chain-rule line, and updates the grads.
const STEPS_SCRIPT: &str = r#"
var data = JSON.parse(document.getElementById('steps-data').textContent);
var steps = data.steps, at = -1, timer = null;
var items = document.querySelectorAll('#steps li');
function byId(id) { return document.getElementById(id); }
function setGrad(index, text) { byId('n' + index).querySelector('.grad').textContent = text; }
function show(k) {
  at = Math.max(-1, Math.min(k, steps.length - 1));
  Array.prototype.forEach.call(document.querySelectorAll('.current, .input, .active'), function (el) {
    el.classList.remove('current', 'input', 'active');
  });
  data.start.forEach(function (pair) { setGrad(pair[0], pair[1]); });
  for (var i = 0; i <= at; i++) { setGrad(steps[i].input, steps[i].grad); }
  if (at < 0) {
    byId('n' + data.root).classList.add('current');
    byId('line').textContent = data.first;
  } else {
    var step = steps[at];
    byId('n' + step.node).classList.add('current');
    var op = byId('o' + step.node);
    if (op) { op.classList.add('current'); }
    byId('n' + step.input).classList.add('input');
    var edge = document.querySelector('.edge[data-from="' + step.input + '"][data-to="' + step.node + '"]');
    if (edge) { edge.classList.add('active'); }
    byId('line').textContent = step.line;
  }
  Array.prototype.forEach.call(items, function (item, i) { item.classList.toggle('current', i === at); });
  if (at >= 0 && items[at].scrollIntoView) { items[at].scrollIntoView({block: 'nearest'}); }
  byId('counter').textContent = 'step ' + (at + 1) + ' of ' + steps.length;
  byId('previous').disabled = at < 0;
  byId('next').disabled = at >= steps.length - 1;
}
function stop() { if (timer) { clearInterval(timer); timer = null; byId('play').textContent = 'play'; } }
byId('next').addEventListener('click', function () { stop(); show(at + 1); });
byId('previous').addEventListener('click', function () { stop(); show(at - 1); });
byId('play').addEventListener('click', function () {
  if (timer) { stop(); return; }
  if (at >= steps.length - 1) { show(-1); }
  byId('play').textContent = 'pause';
  timer = setInterval(function () { show(at + 1); if (at >= steps.length - 1) { stop(); } }, 900);
});
document.addEventListener('keydown', function (event) {
  if (event.key === 'ArrowRight') { stop(); show(at + 1); }
  if (event.key === 'ArrowLeft') { stop(); show(at - 1); }
});
show(-1);
"#;

fn page(title: &str, body: &str, script: &str) -> String {
    let mut html = String::new();
    html.push_str("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n");
    html.push_str("<meta charset=\"utf-8\"/>\n");
    let _ = writeln!(html, "<title>{}</title>", escape_xml(title));
    let _ = writeln!(html, "<style>/*<![CDATA[*/{STYLE}/*]]>*/</style>");
    html.push_str("</head>\n<body>\n");
    html.push_str(body);
    if !script.is_empty() {
        let _ = writeln!(html, "<script>//<![CDATA[{script}//]]></script>");
    }
    html.push_str("</body>\n</html>\n");
    html
}

/// `dot L > "g.html"`: the graph, with each value's label, data and grad on hover.
pub fn graph_page(graph: &GraphPicture) -> String {
    let title = format!("dot {}", graph.target);
    let body = format!(
        "<h1><code>{}</code></h1>\n<p>Hover over a value to see its data and grad in full.</p>\n\
         <div id=\"graph\">\n{}</div>\n<div id=\"tip\" hidden=\"hidden\"></div>\n",
        escape_xml(&title),
        graph_svg(graph)
    );
    page(&title, &body, TIP_SCRIPT)
}

/// `plot … > "p.html"`: the plot's SVG on a page.
pub fn plot_page(plot: &Plot) -> String {
    let names: Vec<&str> = plot.series.iter().map(|s| s.label.as_str()).collect();
    let title = format!("plot {}", names.join(", "));
    let body = format!(
        "<h1><code>{}</code></h1>\n<div>\n{}</div>\n",
        escape_xml(&title),
        plot_svg(plot)
    );
    page(&title, &body, "")
}

/// `explain L > "steps.html"`: backward one node at a time (next, previous, play).
pub fn steps_page(explanation: &Explanation) -> String {
    let graph = &explanation.graph;
    let title = format!("explain {}", explanation.target);
    let root = graph.nodes.len().saturating_sub(1);
    let root_name = graph
        .nodes
        .last()
        .and_then(|node| node.label.clone())
        .unwrap_or_else(|| explanation.target.clone());
    // Before the first step every grad the steps change is 0, and L's is 1.
    let mut changed: Vec<usize> = explanation.steps.iter().map(|step| step.input).collect();
    changed.push(root);
    changed.sort_unstable();
    changed.dedup();
    let start: Vec<(usize, String)> = changed
        .iter()
        .map(|&index| (index, format!("grad {:.4}", if index == root { 1.0 } else { 0.0 })))
        .collect();
    let steps: Vec<serde_json::Value> = explanation
        .steps
        .iter()
        .map(|step| {
            serde_json::json!({
                "node": step.node,
                "input": step.input,
                "line": step_line(step),
                "grad": format!("grad {:.4}", step.grad_after),
            })
        })
        .collect();
    let data = serde_json::json!({
        "root": root,
        "first": format!("{root_name}.grad = 1: backward starts at {root_name}"),
        "start": start,
        "steps": steps,
    });
    let mut list = String::new();
    for step in &explanation.steps {
        let _ = writeln!(list, "<li>{}</li>", escape_xml(&step_line(step)));
    }
    let mut final_grads = String::new();
    for row in &explanation.grads.nodes {
        let _ = write!(
            final_grads,
            "{}{} = {}",
            if final_grads.is_empty() { "" } else { ", " },
            escape_xml(&row.label),
            escape_xml(&format_number(row.grad))
        );
    }
    let body = format!(
        "<h1><code>{}</code></h1>\n\
         <p>Backward, one chain-rule step at a time. Use next and previous (or the arrow keys), or play.</p>\n\
         <div id=\"controls\"><button id=\"previous\" type=\"button\">previous</button>\
         <button id=\"next\" type=\"button\">next</button><button id=\"play\" type=\"button\">play</button>\
         <span id=\"counter\"></span></div>\n\
         <div id=\"line\"></div>\n\
         <div id=\"graph\">\n{}</div>\n\
         <ol id=\"steps\" start=\"1\">\n{list}</ol>\n\
         <p>Grads after backward: {}</p>\n\
         <div id=\"tip\" hidden=\"hidden\"></div>\n\
         <script type=\"application/json\" id=\"steps-data\">{}</script>\n",
        escape_xml(&title),
        graph_svg(graph),
        final_grads,
        script_json(&data)
    );
    page(&title, &body, &format!("{TIP_SCRIPT}{STEPS_SCRIPT}"))
}

/// JSON safe inside a `<script>` element and a CDATA-free XML text node: `<`, `>` and
/// `&` (which can only occur inside strings) become `\u` escapes.
fn script_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}
