//! The help texts of `:help`, as data.
//!
//! Keep these true to the language: every example here should run as written.

use crate::suggest::closest;

/// `:help` with no topic.
const OVERVIEW: &str = "\
mg is a small language for automatic differentiation: micrograd as a language.

  a = 2; b = -3               numbers are nodes of a graph
  L = (a*b + 10) * -2         arithmetic builds the graph
  grad L                      back-propagate, then print every labelled node's data and grad
  check L                     compare the gradients with finite differences
  show L                      draw L's graph as a tree

Commands:  grad  backward  zero_grad  check  print  show  topo  explain  dot  plot  assert  seed
REPL:      :help [topic]  :vars  :reset  :load FILE  :save FILE  :quit

Topics:    commands  syntax  strings  functions  models  check  repl  limits  jupyter  grading,
           and each command (:help grad)
";

const COMMANDS: &str = "\
Commands (L is any arithmetic expression, usually a name):

  grad L                zero the grads of L's graph, set L.grad = 1, back-propagate, and print
                        each labelled node (L first): label, data, grad
  grad L wrt a, b       the same, printing only a and b
  backward L            like micrograd's L.backward(): set L.grad = 1 and accumulate into the
                        rest without zeroing; prints nothing
  zero_grad             set every grad to 0 (zero_grad x, m: only the graphs of x and model m)
  check L               check every gradient of L against finite differences (:help check)
  print e1, e2          print values; a string prints as text
  show L                L's graph as an indented tree: label, op, data, grad
  topo L                the order in which backward visits L's nodes
  explain L             like grad L, narrating each chain-rule step;
                        explain L > \"steps.html\" walks backward step by step in a browser
  dot L                 the graph in Graphviz DOT; dot L > \"g.svg\" draws it (:help dot)
  plot f                plot a function from -5 to 5 (plot f, g from 0 to 2; plot losses;
                        plot xs, ys); plot f > \"f.svg\" draws it (:help plot)
  assert cond           stop with an error showing both sides when cond is false
  assert cond, \"msg\"    the same, with a message
  seed N                seed the random generator, so runs repeat exactly

A bare expression prints its value. A '>' after a command sends its output to a file.
";

const SYNTAX: &str = "\
Syntax

  a = 2; b = -3             a statement ends at a newline or ';'
  # a comment               runs to the end of the line
  12  0.5  .5  1e-3         numbers (all f64); a sign is an operator: -2, a ** -1
  \"text\"                    strings, with \\\" \\\\ \\n \\t escapes; \"a\" + \"b\" joins them
  f\"loss {loss:.4f}\"        an f-string: values in braces, formatted as in Python (:help strings)
  [1, 2, [3, 4]]  xs[0]     lists and indexing; xs.append(x) adds an item at the end
  true  false               booleans
  α  Δ  x₁  café            names may be letters of any script

Operators, loosest first:
  or   and   not   == != < <= > >= ~=   + -   * / %   unary - +   ** (or ^)   f(x) x.grad xs[i]
  -a**2 is -(a**2); ** groups to the right; a * -b and a - -b are fine.
  a ~= b is true when |a - b| <= 1e-6 * max(1, |a|, |b|). Comparisons build no node.
  a % b is the remainder with b's sign, as in Python (-1 % 10 is 9); on nodes it is
  differentiable, as torch.remainder: d/da = 1, d/db = -floor(a / b)
  xs + ys joins two lists, and s + t two strings.

Names and attributes:
  x = expr                  binds x; an unlabelled node takes the label 'x'
  b = a                     b and a are the same node, as in Python
  x.data  x.grad            read as plain numbers; assign with = += -= *= /=
  x.label = \"name\"          rename a node for display

Control flow and functions:
  for x in xs { ... }       for k in 0..100 { ... } (100 excluded)
  while c { ... }           repeat while c is true
  break  continue           leave the innermost for/while loop, or go on with its next pass
  if c { ... } else { ... }
  fn f(x) = 3*x**2 - 4*x + 5
  fn neuron(xs, ws, b) { ...; return e }
  [f(x) for x in xs]        [(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)]
  [x for x in xs if x > 0]  keep only some items
  f(a, b=2)                 arguments by position, then by name
";

const FUNCTIONS: &str = "\
Functions

Differentiable (they build graph nodes):
  tanh  exp  log  relu  sigmoid  sqrt  abs  sin  cos
  pow(x, y)                 the same as x ** y, differentiable in both
  max(x, y)  min(x, y)      a node; at a tie each input gets half the gradient
  max(a, b, c)  max(xs)     the same, from the left: max(max(a, b), c)

Derivatives:
  derivative(f, x)          df/dx at x, by autograd, as a plain number: fn f(x) = x**2;
                            derivative(f, 3) is 6. The session's grads stay as they were.

Lists, text, numbers and time:
  len(xs)  sum(xs)  mean(xs)  zip(xs, ys)  range(n)  range(a, b)
  xs.append(x)              add x at the end of the list xs (lists are values: ys = xs keeps ys as it was)
  str(x)                    a value as text: \"loss \" + str(loss.data)
  round(x)  round(x, n)     a plain number, rounded half to even as in Python: round(2.675, 2) is 2.67
  pi  e                     the constants (a name you bind, such as e = a * b, hides them)
  uniform(lo, hi)           a number drawn from the seeded generator (see: seed N)
  clock()                   seconds since mgrad started, to time a loop (not in graded runs)

Models: Neuron, Layer, MLP, parameters (:help models)

An operation whose result is not a finite number (1/0, log(-1), overflow) is an error
that names the operation and its operands; so is a gradient that is not finite
(sqrt(x) at x = 0 has derivative inf), in grad, backward, explain and check.
";

const MODELS: &str = "\
Models, as in micrograd's nn.py

  n = Neuron(3)                         weights and bias drawn from uniform(-1, 1)
  l = Layer(3, 4)
  m = MLP(3, [4, 4, 1])                 tanh on every layer
  m = MLP(2, [16, 16, 1], act=\"relu\")   relu on hidden layers, a linear last layer
  m(x)                                  a list, or a number where the last layer has one output
  parameters(m)                         weights then bias, neuron by neuron, layer by layer
  zero_grad m                           zero the parameters' grads

A training step:
  loss = sum([(yout - ygt)**2 for (ygt, yout) in zip(ys, [m(x) for x in xs])])
  zero_grad m
  backward loss
  for p in parameters(m) { p.data -= 0.05 * p.grad }
";

const CHECK: &str = "\
check L                       check every gradient of L against finite differences
check L eps=1e-4 atol=1e-6    choose the step and the tolerances

For each leaf x of L, check nudges x by +eps and -eps, re-evaluates L's graph from its
leaves (not the script), and compares the central difference with the gradient that
backward computes. A leaf passes when

  |autograd - numeric| <= atol + rtol * |numeric|

The defaults are those of torch.autograd.gradcheck: eps=1e-6, atol=1e-5, rtol=1e-3.
Both sides are taken at the leaves' current data: after a training step changed them,
L's stored value is stale, and check says so and recomputes L's graph in scratch buffers.
A leaf on a kink (relu or abs at 0, max or min at a tie, a % b where a / b is whole) is
reported as a kink and not compared; so is a leaf whose finite difference is too
imprecise to tell (its rounding or truncation error is as large as the disagreement),
with an eps to try instead. check prints a row per leaf and a verdict, and leaves the
graph's data and grads as they were. A script with a failed check exits 1.
";

const JUPYTER: &str = "\
mg in Jupyter notebooks (JupyterLab, Notebook, VS Code)

  mgrad kernel install      register the kernel once (no Python needed), then pick
                            \"mg (mgrad)\" as a notebook's kernel
  mgrad kernel status       where Jupyter finds it; mgrad kernel uninstall removes it

A notebook is one session: names and the graph carry from cell to cell, and a
statement that fails is undone (the cells queued after it are not run).
A bare expression ending a cell is its result (Out[n]), shown as the REPL shows it.
grad, check, show, topo and explain show tables; dot L and plot show pictures.
Tab completes; Shift-Tab on a name shows its data, grad and how it was made, or a
command's help. A cell starting with ':' holds meta-commands, one a line (:help,
:vars, :reset, :load FILE, :save FILE). Interrupt stops a running cell (undone).
";

const GRADING: &str = "\
Grading exercises (mgrad grade)

An exercise file is mg with statements of its own:

  exercise \"Backprop by hand\"
  setup { a = 2.0; b = -3.0; L = a*b }    runs before every submission (and the reference)
  reference { backward L }                 the truth, run in a session of its own
  forbid grad, backward, check, explain, derivative   the default; forbid none allows all
  question \"dL/da\" a.grad points=2 tol=1e-6 hidden
  question \"f'(x)\" df(x) for x in [-2, 0, 3] points=3   credit per matching point
  require \"the loss is small\" loss.data < 0.01 points=3   holds or not, in the submission

A question scores when |got - expected| <= tol + rtol * |expected| (both 1e-6 unless
given); hidden keeps the expected value out of every report.

  mgrad grade EXERCISE.mg FOLDER             a table: a row per submission
  mgrad grade EXERCISE.mg a.mg b.mg --format json
  mgrad grade EXERCISE.mg FOLDER --report gradescope -o results.json   (also prairielearn, junit, tap)
  mgrad grade --check EXERCISE.mg SOLUTION.mg   the exercise works; the solution scores full marks
  mgrad grade --handout EXERCISE.mg > start.mg  the student's starting file

Each submission runs in a fresh sandboxed session with time, memory, node, output and
step limits (--step-limit N); one that does not parse, loops or uses what is forbidden
scores 0 where it did not reach, and says why.
";

const REPL: &str = "\
The REPL

  :help [topic]     this help, or help on a topic
  :vars             the names bound in the session and their values
  :reset            forget every name, node, the random state and the history
  :load FILE        run the statements of a file in this session
  :save FILE        write the statements run so far as a script
  :quit             leave (also :q, :exit or Ctrl-D)

Tab completes names, keywords, functions and attributes (x.gr<Tab> gives x.grad).
An open bracket or brace continues the input on the next line, after a '…' prompt.
Ctrl-C drops the entry. Typing a node shows it whole, Value(data=2, grad=3, label=a);
_ is the value of the last bare expression.
An error never ends the session and never changes it: a failing statement has no effect.
Ctrl-C while a statement runs stops it; it is undone like any failing statement.
History is kept between sessions; set MGRAD_HISTORY to a file to move it, or to nothing
(MGRAD_HISTORY=) to turn it off. If the file cannot be written, mgrad says so once.
";

const GRAD: &str = "\
grad L              zero the grads of L's graph, set L.grad = 1 and back-propagate;
                    then print each labelled node, L first, in reverse topological order
grad L wrt a, b     the same, printing only a and b

  a = 2; b = -3; L = (a*b + 10) * -2
  grad L
";

const BACKWARD: &str = "\
backward L          micrograd's L.backward(): set L.grad = 1 and back-propagate,
                    accumulating into the grads (+=) without zeroing them first.
                    Prints nothing; read the grads with x.grad, or use grad L.
  zero_grad m
  backward loss
";

const ZERO_GRAD: &str = "\
zero_grad           set every grad in the session's graph to 0
zero_grad x, m      only the graphs of the given nodes, lists or models
";

const PRINT: &str = "\
print e1, e2, ...   print values separated by spaces; a string prints as text
  print \"loss:\", loss.data
  print f\"loss {loss.data:.4f} at step {k}\"      (:help strings)
A bare expression at the top level prints its value too (in the REPL a node shows as
Value(data=…, grad=…, label=…), and _ is the last such value).
";

const STRINGS: &str = "\
Strings

  \"text\"                    with \\\" \\\\ \\n \\t escapes
  \"a\" + \"b\"                 joins text; \"n = \" + str(n) joins text and a number
  str(x)                    a value as print shows it, as text
  f\"loss {loss.data:.4f} at step {k}\"
                            an f-string: each {expression} is replaced by its value

After a ':' inside the braces, a format as in Python: [[fill]align][sign][0][width][.precision][type]
With x = 0.123456 and k = 7:
  {x:.4f}    0.1235       4 decimals
  {x:.3e}    1.235e-01    scientific
  {x:.3g}    0.123        3 significant digits
  {x:.1%}    12.3%        percent
  {k:d}      7            a whole number; {k:03d} gives 007, {k:+d} gives +7
  {k:>4}     '   7'       right-aligned in 4 columns (< left, ^ centre; {k:*^5} gives **7**)
  {x=}       x=0.123456   the expression's text, then its value
Without a format, a value shows as print shows it. Write {{ and }} for braces themselves.
An expression inside braces cannot contain a quote: bind the text to a name first.
";

const SHOW: &str = "\
show L              L's graph as an indented tree, from L down to its leaves: each row shows
                    a node's label (or its operation), operation, data and grad. A node
                    reached twice is marked (shown above) and its inputs are not repeated.
";

const TOPO: &str = "\
topo L              the nodes of L's graph in the order backward visits them, L first
";

const EXPLAIN: &str = "\
explain L           like grad L, narrating each local chain-rule step, e.g.
                    e = a * b: a.grad += b.data * e.grad = -3 * -2 = 6
explain L > \"steps.html\"
                    a web page that walks backward one step at a time (next,
                    previous, play), highlighting the node, its input and the line
";

const DOT: &str = "\
dot L               L's graph in Graphviz DOT, in micrograd's style
dot L > \"g.svg\"     draw the graph as a picture, as micrograd's draw_dot does: left to
                    right, a record per value (label | data | grad), a circle per op
dot L > \"g.html\"    the same picture on a web page; hover over a value for its data
                    and grad in full
dot L > \"g.dot\"     the DOT text (any other extension writes DOT too)
Files are written where mgrad runs; the line 'wrote … to …' gives the full path.
";

const PLOT: &str = "\
plot f                  plot a one-argument function from -5 to 5, as the lecture does
plot f from 0 to 2      over another range (201 points, both ends included)
plot f, g from -2 to 2  several functions, one line each
plot losses             a list of numbers against its index (0, 1, 2, ...)
plot xs, ys             ys against xs (lists of the same length; more lists: more lines)
plot f > \"f.svg\"        an SVG picture with axes, ticks and a legend (.html: a web page)
In a terminal a plot is a text chart in Unicode braille; with --ascii, or where the
locale is not UTF-8, in plain ASCII.
  fn f(x) = 3*x**2 - 4*x + 5
  plot f
";

const ASSERT: &str = "\
assert cond             stop the script with an error that shows both sides when cond is false
assert cond, \"message\"  the same, with your message
  assert L.data == -8
  assert a.grad ~= 6, \"dL/da should be 6\"
";

const SEED: &str = "\
seed N              seed the random generator (uniform, Neuron, Layer, MLP), so runs repeat
";

/// One line on each builtin function, for inspection in a notebook (Shift-Tab on `tanh`):
/// how it is called and what it gives; `:help functions` has them all together.
const BUILTIN_LINES: &[(&str, &str)] = &[
    (
        "tanh",
        "tanh(x)             a node: the hyperbolic tangent; local derivative 1 - tanh(x)**2",
    ),
    ("exp", "exp(x)              a node: e to the x; local derivative exp(x)"),
    (
        "log",
        "log(x)              a node: the natural logarithm (x > 0); local derivative 1/x",
    ),
    (
        "relu",
        "relu(x)             a node: max(0, x); local derivative 1 where x > 0, else 0",
    ),
    (
        "sigmoid",
        "sigmoid(x)          a node: 1 / (1 + exp(-x)); local derivative s * (1 - s)",
    ),
    (
        "sqrt",
        "sqrt(x)             a node: the square root (x >= 0); local derivative 1 / (2 * sqrt(x))",
    ),
    (
        "abs",
        "abs(x)              a node: |x|; local derivative the sign of x (0 at 0)",
    ),
    ("sin", "sin(x)              a node: the sine; local derivative cos(x)"),
    (
        "cos",
        "cos(x)              a node: the cosine; local derivative -sin(x)",
    ),
    (
        "pow",
        "pow(x, y)           a node: x ** y, differentiable in both x and y",
    ),
    (
        "max",
        "max(x, y)           a node: the larger; at a tie each input gets half the gradient. max(xs) of a list",
    ),
    (
        "min",
        "min(x, y)           a node: the smaller; at a tie each input gets half the gradient. min(xs) of a list",
    ),
    (
        "len",
        "len(xs)             the number of items of a list (or characters of a string)",
    ),
    ("sum", "sum(xs)             the sum of a list, as a chain of + nodes"),
    (
        "zip",
        "zip(xs, ys)         pairs of items: [(xs[0], ys[0]), (xs[1], ys[1]), …], as long as the shorter",
    ),
    (
        "range",
        "range(n)  range(a, b)   the list [0, 1, …, n-1], or [a, …, b-1]",
    ),
    (
        "uniform",
        "uniform(lo, hi)     a number drawn from the seeded generator, lo <= x < hi (see seed N)",
    ),
    ("mean", "mean(xs)            the mean of a list: sum(xs) / len(xs)"),
    (
        "Neuron",
        "Neuron(nin)         a neuron with nin weights and a bias from uniform(-1, 1); tanh by default",
    ),
    ("Layer", "Layer(nin, nout)    nout neurons of nin inputs each"),
    (
        "MLP",
        "MLP(nin, [nout, …])  layers of neurons, tanh on each; act=\"relu\" for relu hidden layers",
    ),
    (
        "parameters",
        "parameters(m)       a model's weights then bias, neuron by neuron, layer by layer",
    ),
    (
        "str",
        "str(x)              a value as text, as print shows it: \"loss \" + str(loss.data)",
    ),
    (
        "round",
        "round(x)  round(x, n)  a plain number, rounded half to even as Python does",
    ),
    (
        "clock",
        "clock()             seconds since mgrad started, to time a loop (none in graded runs)",
    ),
    (
        "derivative",
        "derivative(f, x)    df/dx at x, by autograd, as a plain number; the session's grads are untouched",
    ),
];

/// The one-line description of a builtin function, or `None` for another name.
pub fn builtin_help(name: &str) -> Option<&'static str> {
    BUILTIN_LINES
        .iter()
        .find(|(builtin, _)| *builtin == name)
        .map(|(_, line)| *line)
}

/// Every topic with its text; the first names are the general topics.
const LIMITS: &str = "\
Limits (flags of mgrad; in the REPL the time and output limits apply to each entry)

  --time-limit SECONDS    stop a run that takes longer (default: none)
  --memory-limit MIB      stop a program whose graph and lists need more (default: 2048)
  --node-limit N          stop a graph that grows past N nodes (default: 50000000)
  --output-limit BYTES    stop a run that prints more (default: none)
  --sandbox               no file is read or written: > \"path\", :load and :save are refused

A limit ends the program with an error that names it and says how to raise it; in the
REPL the statement is undone and the session goes on. Recursion that nests too deeply
is an error too. Ctrl-C stops the running statement (a script exits with status 130).
> \"path\" writes only regular files: never through a link, to a device, or over mgrad's output.
";

pub const TOPICS: &[(&str, &str)] = &[
    ("commands", COMMANDS),
    ("syntax", SYNTAX),
    ("strings", STRINGS),
    ("functions", FUNCTIONS),
    ("models", MODELS),
    ("check", CHECK),
    ("repl", REPL),
    ("limits", LIMITS),
    ("jupyter", JUPYTER),
    ("grading", GRADING),
    ("grad", GRAD),
    ("backward", BACKWARD),
    ("zero_grad", ZERO_GRAD),
    ("print", PRINT),
    ("show", SHOW),
    ("topo", TOPO),
    ("explain", EXPLAIN),
    ("dot", DOT),
    ("plot", PLOT),
    ("assert", ASSERT),
    ("seed", SEED),
];

/// Other words that lead to a topic.
const ALIASES: &[(&str, &str)] = &[
    ("command", "commands"),
    ("function", "functions"),
    ("builtins", "functions"),
    ("string", "strings"),
    ("format", "strings"),
    ("f-string", "strings"),
    ("fstring", "strings"),
    ("while", "syntax"),
    ("break", "syntax"),
    ("continue", "syntax"),
    ("for", "syntax"),
    ("append", "functions"),
    ("derivative", "functions"),
    ("grade", "grading"),
    ("exercise", "grading"),
    ("exercises", "grading"),
    ("model", "models"),
    ("mlp", "models"),
    ("meta", "repl"),
    ("kernel", "jupyter"),
    ("notebook", "jupyter"),
    ("notebooks", "jupyter"),
    ("wrt", "grad"),
    (":help", "repl"),
    (":vars", "repl"),
    (":reset", "repl"),
    (":load", "repl"),
    (":save", "repl"),
    (":quit", "repl"),
];

/// The help text for `topic`, or the overview without one. An unknown topic gives a
/// sentence that suggests a close one and lists them all.
pub fn help(topic: Option<&str>) -> Result<&'static str, String> {
    let Some(topic) = topic.map(str::trim).filter(|topic| !topic.is_empty()) else {
        return Ok(OVERVIEW);
    };
    let wanted = topic.to_lowercase();
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == wanted)
        .map_or(wanted.as_str(), |(_, name)| name);
    if let Some((_, text)) = TOPICS.iter().find(|(topic_name, _)| *topic_name == name) {
        return Ok(text);
    }
    let names: Vec<&str> = TOPICS.iter().map(|(name, _)| *name).collect();
    let mut message = format!("there is no help on '{topic}'");
    match closest(&wanted, names.iter().copied()) {
        Some(suggestion) => message.push_str(&format!("; did you mean ':help {suggestion}'?")),
        None => message.push('.'),
    }
    message.push_str(&format!(" Topics: {}.", names.join(", ")));
    Err(message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::KEYWORDS;

    #[test]
    fn no_topic_gives_the_overview() {
        assert_eq!(help(None), Ok(OVERVIEW));
        assert_eq!(help(Some("  ")), Ok(OVERVIEW));
        assert!(OVERVIEW.contains(":help grad"));
    }

    #[test]
    fn topics_and_aliases_are_found() {
        assert_eq!(help(Some("check")), Ok(CHECK));
        assert_eq!(help(Some("Syntax")), Ok(SYNTAX));
        assert_eq!(help(Some("wrt")), Ok(GRAD));
        assert_eq!(help(Some(":load")), Ok(REPL));
    }

    #[test]
    fn unknown_topics_suggest_one() {
        let error = help(Some("grda")).unwrap_err();
        assert!(
            error.starts_with("there is no help on 'grda'; did you mean ':help grad'? Topics: commands, syntax,"),
            "{error}"
        );
        let error = help(Some("xyzzy")).unwrap_err();
        assert!(
            error.starts_with("there is no help on 'xyzzy'. Topics: commands, syntax,"),
            "{error}"
        );
        assert!(error.ends_with(", assert, seed."), "{error}");
    }

    #[test]
    fn every_command_keyword_has_a_topic() {
        let statement_keywords = KEYWORDS.iter().take_while(|keyword| **keyword != "for");
        for keyword in statement_keywords {
            assert!(help(Some(keyword)).is_ok(), "no help on {keyword}");
            assert!(COMMANDS.contains(keyword), "the command list lacks {keyword}");
            assert!(OVERVIEW.contains(keyword), "the overview lacks {keyword}");
        }
    }

    #[test]
    fn every_builtin_has_a_line() {
        for builtin in crate::interpreter::BUILTINS {
            let line = builtin_help(builtin).unwrap_or_else(|| panic!("no line on {builtin}"));
            assert!(line.starts_with(builtin), "{builtin}: {line}");
        }
        assert_eq!(builtin_help("L"), None);
    }

    #[test]
    fn every_text_ends_with_one_newline() {
        for (name, text) in TOPICS.iter().chain([("overview", OVERVIEW)].iter()) {
            assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{name}");
        }
    }
}
