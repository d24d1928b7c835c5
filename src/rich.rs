//! An output in every form a rich host can show: a web page (`crates/mgrad-wasm`), a
//! notebook. Jupyter calls this a MIME bundle: the same result as text, as a picture
//! and as data, and the host picks what it can display.
//!
//! Architecture Invariant: pure, like `render.rs` and `picture`: the text is exactly
//! what the CLI prints ([`render_text`]), the pictures exactly what `> "x.svg"` and
//! `> "x.html"` write, and the data exactly the `--format json` object.

use serde::Serialize;

use crate::output::Output;
use crate::picture::{MAX_DRAWN_NODES, graph_svg, plot_svg, steps_page};
use crate::render::render_text;

/// One output as text, as data, and as a picture where it has one.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RichOutput {
    /// The command (`"grad"`, `"print"`, …), as the JSON object's `cmd`.
    pub cmd: String,
    /// What the CLI prints, ending with a newline (a plot: its text chart).
    pub text: String,
    /// The `--format json` object.
    pub data: serde_json::Value,
    /// `dot`: the graph as SVG; `plot`: the plot as SVG. None for a graph too
    /// large to draw ([`MAX_DRAWN_NODES`]), whose text (DOT) stays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub svg: Option<String>,
    /// `explain`: the page that walks backward one step at a time (what
    /// `explain L > "steps.html"` writes), where the graph is small enough to draw.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
}

/// Every form of `output` a rich host may show.
pub fn rich_output(output: &Output) -> RichOutput {
    let data = serde_json::to_value(output).unwrap_or(serde_json::Value::Null);
    let cmd = data
        .get("cmd")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string();
    let (svg, html) = match output {
        Output::Dot(graph) if graph.nodes.len() <= MAX_DRAWN_NODES => (Some(graph_svg(graph)), None),
        Output::Plot(plot) => (Some(plot_svg(plot)), None),
        Output::Explain(explanation) if explanation.graph.nodes.len() <= MAX_DRAWN_NODES => {
            (None, Some(steps_page(explanation)))
        }
        _ => (None, None),
    };
    RichOutput {
        cmd,
        text: render_text(output),
        data,
        svg,
        html,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::interpreter::{Host, Session};

    #[derive(Default)]
    struct Collect(Vec<Output>);

    impl Host for Collect {
        fn emit(&mut self, output: Output) {
            self.0.push(output);
        }
        fn write_file(&mut self, _: &str, _: &str) -> Result<(), String> {
            Err("no files here".to_string())
        }
    }

    fn outputs(source: &str) -> Vec<RichOutput> {
        let mut host = Collect::default();
        Session::new().run_script("<test>", source, &mut host).unwrap();
        host.0.iter().map(rich_output).collect()
    }

    #[test]
    fn every_output_has_the_clis_text_and_json() {
        let [grad] = &outputs("a = 2; b = -3; L = (a*b + 10) * -2; grad L")[..] else {
            panic!()
        };
        assert_eq!(grad.cmd, "grad");
        assert_eq!(
            grad.text,
            "node  data  grad\nL       -8     1\nb       -3    -4\na        2     6\n"
        );
        assert_eq!(grad.data["nodes"][2]["label"], "a");
        assert_eq!(grad.data["nodes"][2]["grad"], 6.0);
        assert_eq!((&grad.svg, &grad.html), (&None, &None));
    }

    #[test]
    fn graphs_and_plots_come_with_their_pictures() {
        let all = outputs("a = 2; L = a * 3; dot L; plot tanh; explain L");
        let [dot, plot, explain] = &all[..] else { panic!() };
        assert!(dot.text.starts_with("digraph"), "{}", dot.text);
        assert!(dot.svg.as_ref().unwrap().starts_with("<svg"));
        assert_eq!(plot.cmd, "plot");
        assert!(plot.svg.as_ref().unwrap().contains("tanh"));
        assert!(explain.text.contains("a.grad += "), "{}", explain.text);
        assert!(explain.html.as_ref().unwrap().contains("<html"));
    }
}
