//! Pictures (SPEC §9): plots and graph pictures as data, their golden files (same
//! program, same bytes), and checks that every SVG and page parses and draws.
//!
//! Golden files live in tests/pictures/. After a deliberate change to a picture,
//! write them anew with `MGRAD_BLESS=1 cargo test --test it pictures`, look at them,
//! and commit them.

use std::path::{Path, PathBuf};

use mgrad::output::{Output, Plot};
use mgrad::picture::{Charset, text_chart};
use mgrad::render::{render_json, render_text};

use super::{Collect, on_big_stack, run_err, run_ok};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/pictures")
}

/// The files examples/07_pictures.mg writes, and the text charts it prints.
fn example_pictures() -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/07_pictures.mg");
    let source = std::fs::read_to_string(&path).expect("reading examples/07_pictures.mg");
    on_big_stack(move || {
        let (_, host) = run_ok(&source);
        let mut files = host.files.clone();
        let plots: Vec<&Plot> = plots(&host);
        files.push(("parabola.txt".to_string(), text_chart(plots[0], Charset::Unicode)));
        files.push(("parabola_ascii.txt".to_string(), text_chart(plots[0], Charset::Ascii)));
        files.push(("losses.txt".to_string(), text_chart(plots[1], Charset::Unicode)));
        files
    })
}

fn plots(host: &Collect) -> Vec<&Plot> {
    host.outputs
        .iter()
        .filter_map(|output| match output {
            Output::Plot(plot) => Some(plot),
            _ => None,
        })
        .collect()
}

/// Compares `contents` with the golden file `name`, or writes it under MGRAD_BLESS=1.
#[track_caller]
fn check_golden(name: &str, contents: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("MGRAD_BLESS").is_some() {
        std::fs::create_dir_all(golden_dir()).expect("creating tests/pictures");
        std::fs::write(&path, contents).expect("writing a golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("{}: {error} (MGRAD_BLESS=1 writes it)", path.display()));
    assert!(
        expected == contents,
        "{name} differs from its golden file {}; if the change is meant, run MGRAD_BLESS=1 cargo test --test it pictures",
        path.display()
    );
}

/// Parses SVG or a page as XML (the pages are polyglot markup; `<!DOCTYPE html>` is a DTD).
fn parse_xml(text: &str) -> Result<roxmltree::Document<'_>, roxmltree::Error> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..roxmltree::ParsingOptions::default()
    };
    roxmltree::Document::parse_with_options(text, options)
}

#[test]
fn example_pictures_match_their_golden_files() {
    let files = example_pictures();
    let mut names: Vec<&str> = files.iter().map(|(name, _)| name.as_str()).collect();
    for (name, contents) in &files {
        check_golden(name, contents);
    }
    // No golden file is left over from a picture the example no longer draws.
    names.sort_unstable();
    let mut golden: Vec<String> = std::fs::read_dir(golden_dir())
        .expect("reading tests/pictures")
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    golden.sort_unstable();
    assert_eq!(golden, names);
}

#[test]
fn pictures_are_the_same_bytes_on_every_run() {
    assert_eq!(example_pictures(), example_pictures());
}

#[test]
fn every_svg_and_page_parses_as_xml() {
    for (name, contents) in example_pictures() {
        if name.ends_with(".txt") {
            continue;
        }
        let document = parse_xml(&contents).unwrap_or_else(|error| panic!("{name}: {error}"));
        let root = document.root_element();
        if name.ends_with(".svg") {
            assert_eq!(root.tag_name().name(), "svg", "{name}");
        } else {
            assert_eq!(root.tag_name().name(), "html", "{name}");
            assert!(contents.starts_with("<!DOCTYPE html>\n"), "{name}");
            assert!(
                root.descendants().any(|node| node.has_tag_name("svg")),
                "{name} has a picture"
            );
            // Self-contained: nothing is fetched from anywhere.
            assert!(
                !contents.contains("http://")
                    || contents.matches("http://").count() == contents.matches("xmlns=\"http://").count(),
                "{name}"
            );
            assert!(!contents.contains("https://") && !contents.contains(" src="), "{name}");
        }
    }
}

/// Draws an SVG with resvg, scaled to at most 1500 pixels wide, and returns how many
/// pixels are dark.
fn dark_pixels(svg: &str) -> usize {
    let tree = resvg::usvg::Tree::from_str(svg, &resvg::usvg::Options::default()).expect("usvg parses the SVG");
    let size = tree.size();
    let scale = (1500.0 / size.width()).min(1.0);
    let width = (size.width() * scale).ceil() as u32;
    let height = (size.height() * scale).ceil() as u32;
    let mut pixmap = resvg::tiny_skia::Pixmap::new(width, height).expect("a pixmap");
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .pixels()
        .iter()
        .filter(|pixel| {
            pixel.alpha() > 0 && u32::from(pixel.red()) + u32::from(pixel.green()) + u32::from(pixel.blue()) < 3 * 160
        })
        .count()
}

#[test]
fn every_svg_rasterises_and_is_not_blank() {
    for (name, contents) in example_pictures() {
        if name.ends_with(".svg") {
            let dark = dark_pixels(&contents);
            assert!(dark > 500, "{name} drew only {dark} dark pixels");
        }
    }
    // The check can fail: an empty picture has no dark pixel.
    let blank = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><rect width=\"10\" height=\"10\" fill=\"#fff\"/></svg>";
    assert_eq!(dark_pixels(blank), 0);
}

#[test]
fn plot_samples_a_function_from_minus_5_to_5() {
    let (_, host) = run_ok("fn f(x) = 3*x**2 - 4*x + 5\nplot f");
    let plot = plots(&host)[0];
    assert_eq!(plot.series.len(), 1);
    let series = &plot.series[0];
    assert_eq!(series.label, "f");
    assert_eq!(series.x.len(), 201);
    assert_eq!((series.x[0], series.x[100], series.x[200]), (-5.0, 0.0, 5.0));
    for (x, y) in series.x.iter().zip(&series.y) {
        let expected = 3.0 * x * x - 4.0 * x + 5.0;
        assert!((y - expected).abs() <= 1e-12 * expected.abs(), "f({x}) = {y}");
    }
}

#[test]
fn plot_draws_several_series_builtins_and_lists() {
    let (_, host) = run_ok(
        "fn g(x) = x * 2\nplot tanh, g from 0 to 2\nlosses = [3, 2, 1.5]\nplot losses\n\
         xs = [1, 2, 4]; ys = [1, 4, 16]; zs = [0, 0, 1]\nplot xs, ys, zs\nplot xs, ys, g",
    );
    let plots = plots(&host);
    let labels = |plot: &Plot| plot.series.iter().map(|s| s.label.clone()).collect::<Vec<_>>();
    assert_eq!(labels(plots[0]), ["tanh", "g"]);
    assert_eq!((plots[0].series[0].x[0], plots[0].series[0].x[200]), (0.0, 2.0));
    assert_eq!(plots[0].series[0].y[200], 2f64.tanh());
    assert_eq!(plots[0].series[1].y[200], 4.0);
    assert_eq!(plots[1].series[0].x, [0.0, 1.0, 2.0]);
    assert_eq!(plots[1].series[0].y, [3.0, 2.0, 1.5]);
    assert_eq!(labels(plots[2]), ["ys", "zs"]);
    assert_eq!(plots[2].series[1].x, [1.0, 2.0, 4.0]);
    // A function beside lists is drawn over the lists' x range.
    assert_eq!(labels(plots[3]), ["ys", "g"]);
    assert_eq!((plots[3].series[1].x[0], plots[3].series[1].x[200]), (1.0, 4.0));
}

#[test]
fn plot_json_carries_the_series() {
    let (_, host) = run_ok("plot [1, 0.5]");
    assert_eq!(
        render_json(&host.outputs[0]),
        r#"{"cmd":"plot","series":[{"label":"[1, 0.5]","x":[0.0,1.0],"y":[1.0,0.5]}]}"#
    );
}

#[test]
fn dot_json_carries_the_graph() {
    let (_, host) = run_ok("a = 2; b = a * a; dot b");
    assert_eq!(
        render_json(&host.outputs[0]),
        r#"{"cmd":"dot","target":"b","nodes":[{"label":"a","op":"","data":2.0,"grad":0.0},{"label":"b","op":"*","data":4.0,"grad":0.0}],"edges":[{"from":0,"to":1}]}"#
    );
}

#[test]
fn redirects_choose_what_to_write_by_extension() {
    let (_, host) = run_ok(
        "a = 2; b = a * 3\ndot b > \"g.svg\"\ndot b > \"G.HTML\"\ndot b > \"g.dot\"\nexplain b > \"s.html\"\n\
         explain b > \"s.txt\"\nplot [1, 2] > \"p.svg\"\nplot [1, 2] > \"p.html\"\nplot [1, 2] > \"p.txt\"",
    );
    let starts: Vec<(&str, &str)> = host
        .files
        .iter()
        .map(|(path, contents)| (path.as_str(), &contents[..contents.len().min(14)]))
        .collect();
    assert_eq!(
        starts,
        [
            ("g.svg", "<svg font-fami"),
            ("G.HTML", "<!DOCTYPE html"),
            ("g.dot", "digraph {\n  ra"),
            ("s.html", "<!DOCTYPE html"),
            ("s.txt", "b = a * 3: a.g"),
            ("p.svg", "<svg font-fami"),
            ("p.html", "<!DOCTYPE html"),
            ("p.txt", "     │      "),
        ]
    );
    assert!(host.files[7].1.ends_with("⠤⠤ [1, 2]\n"), "{}", host.files[7].1);
    let wrote: Vec<String> = host.outputs.iter().map(render_text).collect();
    assert_eq!(wrote[0], "wrote the graph as SVG to g.svg\n");
    assert_eq!(wrote[3], "wrote the backward steps as a web page to s.html\n");
}

#[test]
fn the_steps_page_walks_backwards_steps() {
    let (_, host) = run_ok("a = 2; b = -3; e = a * b; L = e + a\nexplain L > \"s.html\"");
    let page = &host.files[0].1;
    // Each chain-rule line is listed, and the steps' data names nodes of the picture.
    assert!(
        page.contains("<li>L = e + a: e.grad += 1 * L.grad = 1 * 1 = 1</li>"),
        "{page}"
    );
    assert!(
        page.contains("<li>e = a * b: a.grad += b.data * e.grad = -3 * 1 = -3</li>"),
        "{page}"
    );
    assert!(
        page.contains(
            r#"{"grad":"grad 1.0000","input":2,"line":"L = e + a: e.grad += 1 * L.grad = 1 * 1 = 1","node":3}"#
        ),
        "{page}"
    );
    assert!(page.contains("id=\"n3\"") && page.contains("id=\"o3\""), "{page}");
}

#[test]
fn user_text_is_escaped_in_pictures() {
    let (_, host) = run_ok(
        "a = 2; a.label = \"<b>&\\\"x\\\"</b>\"; b = a * 2\ndot b > \"g.html\"\nexplain b > \"s.html\"\nplot [1, 2] > \"p.svg\"",
    );
    for (name, contents) in &host.files {
        parse_xml(contents).unwrap_or_else(|error| panic!("{name}: {error}\n{contents}"));
        assert!(!contents.contains("<b>"), "{name}");
    }
}

#[test]
fn plot_errors_point_at_the_plot() {
    let error = run_err("fn f(x) = 1 / x\nplot f from -1 to 1");
    assert_eq!(
        error.message,
        "cannot plot 'f' at x = 0: 1 / 0 is not a finite number (inf), at line 1, column 11"
    );
    assert_eq!(
        run_err("plot []").message,
        "'[]' is an empty list: there is nothing to plot"
    );
    assert_eq!(
        run_err("xs = [1, [2]]\nplot xs").message,
        "'plot' needs a list of numbers, but item 1 of 'xs' is a list"
    );
    assert_eq!(
        run_err("plot [1, 2] from 0 to 1").message,
        "'from … to …' sets the range of plotted functions, but there is no function to plot"
    );
    assert_eq!(
        run_err("plot tanh from 1 to 1").message,
        "a plot's range must go from a smaller number to a larger one, not from 1 to 1"
    );
    assert_eq!(
        run_err("show 2 * 3 > \"x.svg\"").message,
        "'show' needs a node of the graph, but '2 * 3' is the plain number 6"
    );
    assert!(
        run_err("a = 2\nshow a > \"x.html\"")
            .message
            .contains("only 'dot', 'explain' and 'plot' write web pages")
    );
}

#[test]
fn limits_inside_a_plotted_function_stay_limits() {
    // A function that recurses forever hits the call-depth limit on its first point.
    let message = on_big_stack(|| run_err("fn f(x) = f(x)\nplot f").message);
    assert!(message.starts_with("calls are nested more than"), "{message}");
}

#[test]
fn extreme_numbers_still_plot() {
    for list in ["[1e308, -1e308]", "[5]", "[0, 1e-300]", "[-0.0, 0]", "[1e-320, 2e-320]"] {
        let (_, host) = run_ok(&format!("plot {list}\nplot {list} > \"p.svg\""));
        let chart = render_text(&host.outputs[0]);
        assert!(chart.contains('┤'), "{list}:\n{chart}");
        let svg = &host.files[0].1;
        parse_xml(svg).unwrap_or_else(|error| panic!("{list}: {error}"));
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{list}:\n{svg}");
    }
}

mod properties {
    use mgrad::output::{Plot, Series};
    use mgrad::picture::{Charset, plot_svg, text_chart};
    use proptest::prelude::*;

    /// Any finite or non-finite number, extremes included.
    fn any_number() -> impl Strategy<Value = f64> {
        prop_oneof![
            -1e3..1e3f64,
            any::<f64>(),
            Just(0.0),
            Just(-0.0),
            Just(f64::MAX),
            Just(f64::MIN_POSITIVE),
            Just(f64::NAN),
            Just(f64::INFINITY),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

        /// Whatever the numbers, a plot draws as text in both character sets and as
        /// SVG that parses, without a panic.
        #[test]
        fn any_series_draws(series in prop::collection::vec(prop::collection::vec((any_number(), any_number()), 1..40), 1..4)) {
            let plot = Plot {
                series: series
                    .iter()
                    .enumerate()
                    .map(|(index, points)| Series {
                        label: format!("s{index} <&>"),
                        x: points.iter().map(|p| p.0).collect(),
                        y: points.iter().map(|p| p.1).collect(),
                    })
                    .collect(),
            };
            let ascii = text_chart(&plot, Charset::Ascii);
            prop_assert!(ascii.is_ascii());
            prop_assert!(text_chart(&plot, Charset::Unicode).lines().count() > 16);
            let svg = plot_svg(&plot);
            prop_assert!(super::parse_xml(&svg).is_ok());
            prop_assert!(!svg.contains("NaN") && !svg.contains("inf"));
        }
    }
}
