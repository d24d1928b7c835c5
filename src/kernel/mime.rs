//! What a notebook shows of an mg cell: each [`Output`] as an IOPub message's
//! content (printed values as a stream, tables as HTML with a plain-text fallback),
//! the cell's result as a MIME bundle, and an error as ename, evalue and traceback.
//!
//! Pure functions of the outputs, so they are tested without sockets.

use mgrad::diagnostic::{Diagnostic, ErrorKind, SourceMap};
use mgrad::output::{Output, Shown};
use mgrad::picture::{MAX_DRAWN_NODES, graph_svg, plot_svg};
use mgrad::render::html::render_html;
use mgrad::render::{render_shown, render_text};
use serde_json::{Value, json};

/// The IOPub message for one output: its type and content. A graph (`dot L`) and a
/// plot are pictures, SVG inline, with their text (DOT, a text chart) beside them.
pub(crate) fn output_message(output: &Output) -> (&'static str, Value) {
    let text = render_text(output);
    let svg = match output {
        Output::Dot(graph) if graph.nodes.len() <= MAX_DRAWN_NODES => Some(graph_svg(graph)),
        Output::Dot(graph) => {
            let note = format!(
                "(no picture: the graph has {} values, and a picture of more than {MAX_DRAWN_NODES} is unreadable; \
                 draw a smaller part of it)\n",
                graph.nodes.len()
            );
            return stream(&(note + &text));
        }
        Output::Plot(plot) => Some(plot_svg(plot)),
        _ => None,
    };
    if let Some(svg) = svg {
        return (
            "display_data",
            json!({"data": {"text/plain": text, "image/svg+xml": svg}, "metadata": {}}),
        );
    }
    match render_html(output) {
        Some(html) => (
            "display_data",
            json!({"data": {"text/plain": text, "text/html": html}, "metadata": {}}),
        ),
        None => stream(&text),
    }
}

/// A `stream` message's content: text for the cell's standard output.
pub(crate) fn stream(text: &str) -> (&'static str, Value) {
    ("stream", json!({"name": "stdout", "text": text}))
}

/// An `execute_result` message's content: the value of the cell's last expression.
pub(crate) fn execute_result(value: &Shown, execution_count: u64) -> Value {
    json!({
        "execution_count": execution_count,
        "data": {"text/plain": render_shown(value)},
        "metadata": {},
    })
}

/// The fields of an `error` message and of an `execute_reply` whose status is
/// `error`: a name for the kind of error, the sentence with its line and column, and
/// the rendered diagnostic (the source line with a caret), line by line, coloured
/// unless `color` is false.
pub(crate) fn error_fields(sources: &SourceMap, diagnostic: &Diagnostic, color: bool) -> Value {
    let position = sources.line_col(diagnostic.span.start);
    let ename = match diagnostic.kind {
        ErrorKind::Parse => "ParseError",
        ErrorKind::Runtime => "RuntimeError",
        ErrorKind::Assertion => "AssertionError",
        ErrorKind::Usage => "UsageError",
        ErrorKind::Limit => "LimitError",
        ErrorKind::Interrupted => "Interrupted",
        ErrorKind::Forbidden => "ForbiddenError",
        ErrorKind::Exercise => "ExerciseError",
    };
    let rendered = sources.render(diagnostic, color);
    json!({
        "ename": ename,
        "evalue": format!("{} (line {}, column {})", diagnostic.message, position.line, position.column),
        "traceback": rendered.trim_end().lines().collect::<Vec<_>>(),
    })
}

/// An error that is not mg's (a meta-command misused): a sentence, no source.
pub(crate) fn problem_fields(message: &str) -> Value {
    json!({"ename": "CommandError", "evalue": message, "traceback": [message]})
}

#[cfg(test)]
mod tests {
    use super::*;
    use mgrad::interpreter::{Host, Session};
    use mgrad::output::{GradRow, GradTable, PrintOut, WroteFile};

    #[test]
    fn printed_values_are_a_stream() {
        let print = Output::Print(PrintOut {
            values: vec![Shown::Str("loss".to_string()), Shown::Number(0.25)],
        });
        assert_eq!(
            output_message(&print),
            ("stream", json!({"name": "stdout", "text": "loss 0.25\n"}))
        );
        let wrote = Output::Wrote(WroteFile {
            path: "l.dot".to_string(),
            what: "dot".to_string(),
        });
        assert_eq!(output_message(&wrote).1["text"], "wrote dot to l.dot\n");
    }

    #[test]
    fn a_grad_table_is_html_with_its_text_beside() {
        let grads = Output::Grad(GradTable {
            target: "L".to_string(),
            nodes: vec![GradRow {
                label: "L".to_string(),
                data: -8.0,
                grad: 1.0,
            }],
        });
        let (kind, content) = output_message(&grads);
        assert_eq!(kind, "display_data");
        assert_eq!(content["data"]["text/plain"], "node  data  grad\nL       -8     1\n");
        assert!(
            content["data"]["text/html"]
                .as_str()
                .is_some_and(|html| html.starts_with("<table"))
        );
        assert_eq!(content["metadata"], json!({}));
    }

    #[test]
    fn the_result_is_the_echo_of_the_last_expression() {
        let node = Shown::Node {
            data: 2.0,
            grad: 6.0,
            label: Some("a".to_string()),
            op: None,
        };
        assert_eq!(
            execute_result(&node, 3),
            json!({"execution_count": 3, "data": {"text/plain": "Value(data=2, grad=6, label=a)"}, "metadata": {}})
        );
    }

    /// Collects what a session emits.
    #[derive(Default)]
    struct Recorder(Vec<Output>);

    impl Host for Recorder {
        fn emit(&mut self, output: Output) {
            self.0.push(output);
        }
        fn write_file(&mut self, _path: &str, _contents: &str) -> Result<(), String> {
            Err("no files here".to_string())
        }
    }

    /// The IOPub messages of a cell's outputs.
    fn messages(cell: &str) -> Vec<(&'static str, Value)> {
        let mut recorder = Recorder::default();
        let mut session = Session::new();
        if let Err(error) = session.run_cell("In[1]", cell, &mut recorder) {
            panic!("{}", session.sources().render(&error, false));
        }
        recorder.0.iter().map(output_message).collect()
    }

    #[test]
    fn graphs_and_plots_are_inline_svg_with_text_beside() {
        let shown = messages("a = 2; b = -3; L = a * b; dot L; plot tanh from -2 to 2");
        let [(dot_kind, dot), (plot_kind, plot)] = &shown[..] else {
            panic!("two outputs: {shown:?}");
        };
        assert_eq!((*dot_kind, *plot_kind), ("display_data", "display_data"));
        let svg = dot["data"]["image/svg+xml"].as_str().expect("an SVG");
        assert!(svg.starts_with("<svg") && svg.contains("class=\"label\""), "{svg}");
        assert!(
            dot["data"]["text/plain"]
                .as_str()
                .is_some_and(|text| text.starts_with("digraph"))
        );
        let svg = plot["data"]["image/svg+xml"].as_str().expect("an SVG");
        assert!(svg.starts_with("<svg") && svg.contains("tanh"), "{svg}");
        assert!(
            plot["data"]["text/plain"]
                .as_str()
                .is_some_and(|text| text.contains('│') || text.contains('|'))
        );
    }

    #[test]
    fn a_graph_too_large_to_draw_is_dot_text_with_a_reason() {
        let shown = messages("s = 0\nfor k in 0..2600 { s = s + k }\ndot s");
        let [(kind, content)] = &shown[..] else {
            panic!("one output: {shown:?}");
        };
        assert_eq!(*kind, "stream");
        let text = content["text"].as_str().unwrap_or("");
        assert!(text.starts_with("(no picture: the graph has 5201 values,"), "{text}");
        assert!(text.contains("digraph"), "{text}");
    }

    struct Quiet;

    impl Host for Quiet {
        fn emit(&mut self, _output: Output) {}
        fn write_file(&mut self, _path: &str, _contents: &str) -> Result<(), String> {
            Ok(())
        }
    }

    #[test]
    fn an_error_carries_its_line_and_caret() {
        let mut session = Session::new();
        let diagnostic = session
            .run_cell("In[1]", "b = 2\nL = bb * 2", &mut Quiet)
            .expect_err("an unknown name");
        let fields = error_fields(session.sources(), &diagnostic, false);
        assert_eq!(fields["ename"], "RuntimeError");
        assert_eq!(
            fields["evalue"],
            "unknown name 'bb' — did you mean 'b'? (line 2, column 5)"
        );
        let traceback: Vec<&str> = fields["traceback"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(
            traceback,
            [
                "error: unknown name 'bb' — did you mean 'b'? (line 2, column 5)",
                "  ┌─ In[1]:2:5",
                "  │",
                "2 │ L = bb * 2",
                "  │     ^^",
            ]
        );
        let coloured = error_fields(session.sources(), &diagnostic, true);
        assert!(
            coloured["traceback"][0]
                .as_str()
                .is_some_and(|line| line.contains('\x1b'))
        );
        assert_eq!(coloured["evalue"], fields["evalue"], "the value stays plain");

        let parse = session
            .run_cell("In[2]", "a = (1", &mut Quiet)
            .expect_err("a parse error");
        assert_eq!(error_fields(session.sources(), &parse, false)["ename"], "ParseError");
        let assertion = session
            .run_cell("In[3]", "assert 1 > 2", &mut Quiet)
            .expect_err("false");
        assert_eq!(
            error_fields(session.sources(), &assertion, false)["ename"],
            "AssertionError"
        );
    }
}
