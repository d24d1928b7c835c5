//! Tests of the parser: the seed programs, precedence, spans, error messages, and
//! robustness against hostile input.

use super::*;
use crate::ast::*;
use crate::span::Span;

// ----- helpers -----

#[track_caller]
fn parse(source: &str) -> Program {
    match parse_program(source, 0) {
        Ok(program) => program,
        Err(e) => panic!(
            "{source:?} failed to parse: {e} at {:?} (help: {:?})",
            e.span(),
            e.help()
        ),
    }
}

#[track_caller]
fn parse_err(source: &str) -> ParseError {
    match parse_program(source, 0) {
        Ok(program) => panic!("{source:?} parsed, but should not have: {program:?}"),
        Err(e) => e,
    }
}

/// Asserts an error's message and the text its span covers.
#[track_caller]
fn check_err(source: &str, message: &str, spanned: &str) {
    let e = parse_err(source);
    assert_eq!(e.to_string(), message, "message for {source:?}");
    let span = e.span();
    assert_eq!(&source[span.start..span.end], spanned, "span for {source:?}: {span:?}");
}

/// Prints an expression fully parenthesised.
fn show(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Number(n) => format!("{n}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Format(parts) => {
            let parts: Vec<String> = parts
                .iter()
                .map(|part| match part {
                    FormatPart::Text(text) => format!("{text:?}"),
                    FormatPart::Value { expr, spec } => {
                        format!(
                            "{{{}{}}}",
                            show(expr),
                            spec.as_ref().map_or(String::new(), |s| format!(":{}", s.text))
                        )
                    }
                })
                .collect();
            format!("f[{}]", parts.join(" "))
        }
        ExprKind::Bool(b) => format!("{b}"),
        ExprKind::Name(n) => n.name.clone(),
        ExprKind::List(items) => format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(", ")),
        ExprKind::Range { start, end } => format!("({}..{})", show(start), show(end)),
        ExprKind::Comprehension {
            element,
            pattern,
            iterable,
            condition,
        } => format!(
            "[{} for {} in {}{}]",
            show(element),
            show_pattern(pattern),
            show(iterable),
            condition.as_ref().map_or(String::new(), |c| format!(" if {}", show(c)))
        ),
        ExprKind::Unary { op, operand } => {
            format!("({}{})", if *op == UnaryOp::Neg { "-" } else { "+" }, show(operand))
        }
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", show(lhs), op.symbol(), show(rhs))
        }
        ExprKind::Compare { op, lhs, rhs } => {
            format!("({} {} {})", show(lhs), op.symbol(), show(rhs))
        }
        ExprKind::Not(x) => format!("(not {})", show(x)),
        ExprKind::Logical { op, lhs, rhs } => {
            let op = if *op == LogicalOp::And { "and" } else { "or" };
            format!("({} {op} {})", show(lhs), show(rhs))
        }
        ExprKind::Call { callee, args } => format!(
            "{}({})",
            show(callee),
            args.iter()
                .map(|a| match &a.name {
                    Some(n) => format!("{}={}", n.name, show(&a.value)),
                    None => show(&a.value),
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ExprKind::Attribute { object, attribute } => format!("{}.{}", show(object), attribute.name),
        ExprKind::Index { object, index } => format!("{}[{}]", show(object), show(index)),
    }
}

fn show_pattern(p: &Pattern) -> String {
    match p {
        Pattern::Name(i) => i.name.clone(),
        Pattern::Tuple { parts, .. } => {
            format!("({})", parts.iter().map(show_pattern).collect::<Vec<_>>().join(", "))
        }
    }
}

/// The single bare expression of `source`, printed fully parenthesised.
#[track_caller]
fn expr(source: &str) -> String {
    let program = parse(source);
    match &program.statements[..] {
        [
            Stmt {
                kind: StmtKind::Expr(e),
                ..
            },
        ] => show(e),
        other => panic!("{source:?} is not one expression: {other:?}"),
    }
}

fn text(source: &str, span: Span) -> &str {
    &source[span.start..span.end]
}

// ----- f-strings -----

#[test]
fn fstrings_are_text_and_values() {
    assert_eq!(
        expr("f\"loss {loss.data:.4f} at step {k + 1}\""),
        "f[\"loss \" {loss.data:.4f} \" at step \" {(k + 1)}]"
    );
    assert_eq!(expr("f\"{{}} \\\" {x=}\""), "f[\"{} \\\" x=\" {x}]");
    assert_eq!(expr("f\"\""), "f[\"\"]");
    // `ff"x"` is a name and a string, as before.
    check_err(
        "ff\"x\"",
        "expected an operator or the end of the statement, found a string",
        "\"x\"",
    );
    // Spans inside an f-string are those of the source.
    let source = "y = f\"a {x * 2:>5}\"";
    let program = parse(source);
    let StmtKind::Assign { value, .. } = &program.statements[0].kind else {
        panic!()
    };
    let ExprKind::Format(parts) = &value.kind else { panic!() };
    let FormatPart::Value { expr, spec } = &parts[1] else {
        panic!()
    };
    assert_eq!(text(source, expr.span), "x * 2");
    assert_eq!(text(source, spec.as_ref().unwrap().span), ">5");
    check_err(
        "y = f\"{x +}\"",
        "expected an expression after '+', found the end of the input",
        "",
    );
    check_err("y = f\"{x:.2z}\"", "unknown format 'z' in '{…:.2z}'", "z");
}

// ----- precedence -----

#[test]
fn precedence() {
    assert_eq!(expr("-a**2"), "(-(a ** 2))");
    assert_eq!(expr("2**3**2"), "(2 ** (3 ** 2))");
    assert_eq!(expr("a - b - c"), "((a - b) - c)");
    assert_eq!(expr("a / b * c"), "((a / b) * c)");
    assert_eq!(expr("a ^ 2"), "(a ** 2)");
    assert_eq!(expr("not a == b"), "(not (a == b))");
    assert_eq!(expr("a ** -1"), "(a ** (-1))");
    assert_eq!(expr("2 ** -x ** 2"), "(2 ** (-(x ** 2)))");
    assert_eq!(expr("a * -b"), "(a * (-b))");
    assert_eq!(expr("a - -b"), "(a - (-b))");
    assert_eq!(expr("(a*b + 10) * -2"), "(((a * b) + 10) * (-2))");
    assert_eq!(expr("a + b * c ** d"), "(a + (b * (c ** d)))");
    assert_eq!(expr("-a * b"), "((-a) * b)");
    assert_eq!(expr("+a"), "(+a)");
    assert_eq!(expr("a or b and c"), "(a or (b and c))");
    assert_eq!(expr("not a and b"), "((not a) and b)");
    assert_eq!(expr("a < b + 1 or c ~= d"), "((a < (b + 1)) or (c ~= d))");
    assert_eq!(expr("0..n + 1"), "(0..(n + 1))");
    assert_eq!(expr("a.grad == -13"), "(a.grad == (-13))");
    assert_eq!(expr("f(x)(y).data[0]"), "f(x)(y).data[0]");
    assert_eq!(expr("-x.grad ** 2"), "(-(x.grad ** 2))");
    assert_eq!(expr("(a < b) < c"), "((a < b) < c)");
}

#[test]
fn literals() {
    assert_eq!(expr("12"), "12");
    assert_eq!(expr("0.5"), "0.5");
    assert_eq!(expr(".5"), "0.5");
    assert_eq!(expr("1e-3"), "0.001");
    assert_eq!(expr("2.5E+4"), "25000");
    assert_eq!(expr("6.8813735870195432"), "6.881373587019543");
    assert_eq!(expr(r#""a\"b\\c\nd\te""#), r#""a\"b\\c\nd\te""#);
    assert_eq!(expr("true"), "true");
    assert_eq!(expr("[true, false,]"), "[true, false]");
    assert_eq!(expr("[]"), "[]");
    assert_eq!(expr("[[2, 3, -1], [3, -1, 0.5]]"), "[[2, 3, (-1)], [3, (-1), 0.5]]");
    assert_eq!(expr("grad_x + data + label"), "((grad_x + data) + label)");
    assert_eq!(expr("x.grad + x.data + x.label"), "((x.grad + x.data) + x.label)");
    assert_eq!(expr("wrt"), "wrt");
}

#[test]
fn lists_calls_and_comprehensions() {
    assert_eq!(
        expr("MLP(2, [16, 16, 1], act=\"relu\")"),
        "MLP(2, [16, 16, 1], act=\"relu\")"
    );
    assert_eq!(expr("[n(x) for x in xs]"), "[n(x) for x in xs]");
    assert_eq!(
        expr("[(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)]"),
        "[((yout - ygt) ** 2) for (ygt, yout) in zip(ys, ypred)]"
    );
    assert_eq!(
        expr("[x for ((a, b), c) in y if a > 0]"),
        "[x for ((a, b), c) in y if (a > 0)]"
    );
    assert_eq!(expr("f(a == b)"), "f((a == b))");
    // Newlines are insignificant inside ( ) and [ ], comments too.
    assert_eq!(expr("f(1,\n  2, # two\n  3,\n)"), "f(1, 2, 3)");
    assert_eq!(expr("[\n 1,\n 2\n]"), "[1, 2]");
}

// ----- statements -----

#[test]
fn seed_programs() {
    let sources = [
        "a = 2; b = -3; L = (a*b + 10) * -2; grad L",
        "x1 = 2.0; w1 = -3.0; b = 6.8813735870195432",
        "n = x1*w1 + b; o = tanh(n); o.label = \"o\"",
        "c = a * -b; d = c ** 2; e = d - c",
        "e = exp(2*n); o = (e - 1)/(e + 1)",
        "x.data += 0.01 * x.grad",
        "check L eps=1e-4 atol=1e-6",
        "dot L > \"l.dot\"",
        "grad L wrt a, b",
        "assert a.grad == -13, \"a.grad should be -13\"",
        "fn f(x) = 3*x**2 - 4*x + 5",
        "for k in 0..50 { ypred = [n(x) for x in xs]; loss = sum([(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)]) }",
        "n = MLP(2, [16, 16, 1], act=\"relu\")",
    ];
    for source in sources {
        parse(source);
    }
    assert_eq!(parse(sources[0]).statements.len(), 4);
}

#[test]
fn spec_training_program() {
    let source = "seed 1
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]
n = MLP(3, [4, 4, 1])
for k in 0..50 {
  ypred = [n(x) for x in xs]
  loss = sum([(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)])
  zero_grad n
  backward loss
  for p in parameters(n) { p.data -= 0.05 * p.grad }
}
print loss.data
";
    let program = parse(source);
    assert_eq!(program.statements.len(), 6);
    let StmtKind::For {
        body,
        pattern,
        iterable,
    } = &program.statements[4].kind
    else {
        panic!("expected a for loop");
    };
    assert_eq!(show_pattern(pattern), "k");
    assert_eq!(show(iterable), "(0..50)");
    assert_eq!(body.statements.len(), 5);
    assert_eq!(text(source, program.statements[4].span).lines().count(), 7);
}

#[test]
fn statement_forms() {
    let source = "grad L wrt a, b > \"g.txt\"";
    let program = parse(source);
    let StmtKind::Command {
        command: Command::Grad { target, wrt },
        redirect: Some(redirect),
    } = &program.statements[0].kind
    else {
        panic!("{program:?}")
    };
    assert_eq!(show(target), "L");
    assert_eq!(wrt.iter().map(show).collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(redirect.path, "g.txt");
    assert_eq!(text(source, redirect.span), "\"g.txt\"");

    let program = parse("check L eps=1e-4 atol=1e-6");
    let StmtKind::Command {
        command: Command::Check { options, .. },
        redirect: None,
    } = &program.statements[0].kind
    else {
        panic!()
    };
    assert_eq!(options.len(), 2);
    assert_eq!(options[1].name.name, "atol");

    let kinds = |source: &str| {
        parse(source)
            .statements
            .iter()
            .map(|s| match &s.kind {
                StmtKind::Command { command, .. } => format!("{command:?}")
                    .split([' ', '('])
                    .next()
                    .unwrap_or("")
                    .to_string(),
                other => format!("{other:?}").split([' ', '(']).next().unwrap_or("").to_string(),
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(
        kinds(
            "print\nprint a, b\nzero_grad\nzero_grad x, m\nbackward L\nshow L\ntopo L\nexplain L\nseed 1\nassert x\nreturn\nreturn 1"
        ),
        [
            "Print", "Print", "ZeroGrad", "ZeroGrad", "Backward", "Show", "Topo", "Explain", "Seed", "Assert",
            "Return", "Return"
        ]
    );
    assert_eq!(kinds(";;\n\n a = 1;; b = 2;\n"), ["Assign", "Assign"]);
    assert_eq!(kinds("# only a comment\n"), Vec::<String>::new());
    assert_eq!(kinds("xs[0] = 1; x.grad *= 2; y /= 3; z -= 1"), ["Assign"; 4]);
}

#[test]
fn blocks_if_else_and_functions() {
    let source = "if a < b {\n  x = 1\n}\nelse if a > b { x = 2 } else {\n  x = 3\n}";
    let program = parse(source);
    assert_eq!(program.statements.len(), 1);
    assert_eq!(text(source, program.statements[0].span), source);
    let StmtKind::If {
        else_block: Some(else_block),
        ..
    } = &program.statements[0].kind
    else {
        panic!()
    };
    let [
        Stmt {
            kind:
                StmtKind::If {
                    condition,
                    else_block: Some(last),
                    ..
                },
            span,
        },
    ] = &else_block.statements[..]
    else {
        panic!("else if should nest an If")
    };
    assert_eq!(show(condition), "(a > b)");
    assert!(text(source, *span).starts_with("if a > b"));
    assert_eq!(last.statements.len(), 1);

    let program = parse("fn neuron(xs, ws, b) {\n  s = b\n  return tanh(s)\n}\nfn f(x) = x");
    let StmtKind::FnDef(def) = &program.statements[0].kind else {
        panic!()
    };
    assert_eq!(def.name.name, "neuron");
    assert_eq!(
        def.params.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["xs", "ws", "b"]
    );
    assert!(matches!(&def.body, FnBody::Block(b) if b.statements.len() == 2));
    assert!(matches!(&program.statements[1].kind, StmtKind::FnDef(d) if matches!(d.body, FnBody::Expr(_))));
    parse("for p in parameters(n) { p.data -= 0.05 * p.grad }");
    parse("if x {}\n\n\nelse {}");
    parse("if x {} # c\n# more\nelse {}");
}

#[test]
fn spans() {
    let source = "L = (a*b + 10) * -2";
    let program = parse(source);
    let stmt = &program.statements[0];
    assert_eq!(text(source, stmt.span), source);
    let StmtKind::Assign {
        target: AssignTarget::Name(name),
        value,
        op: None,
    } = &stmt.kind
    else {
        panic!()
    };
    assert_eq!(text(source, name.span), "L");
    assert_eq!(text(source, value.span), "(a*b + 10) * -2");
    let ExprKind::Binary { lhs, rhs, .. } = &value.kind else {
        panic!()
    };
    assert_eq!(text(source, lhs.span), "(a*b + 10)");
    assert_eq!(text(source, rhs.span), "-2");

    // Spans are offset by `base`.
    let program = parse_program("x", 100).map_err(|e| e.to_string());
    assert_eq!(program.map(|p| p.statements[0].span), Ok(Span::new(100, 101)));
    let e = parse_program("x = @", 50).err().map(|e| e.span());
    assert_eq!(e, Some(Span::new(54, 55)));

    let source = "a; b = 1 # comment\n";
    let program = parse(source);
    assert_eq!(text(source, program.statements[1].span), "b = 1");
}

// ----- errors -----

#[test]
fn error_messages_and_spans() {
    check_err(
        "a *",
        "expected an expression after '*', found the end of the input",
        "",
    );
    check_err(
        "x = 3 *\ny = 1",
        "expected an expression after '*', found the end of the line",
        // An empty span where the line ends: the caret sits after the '*'.
        "",
    );
    check_err("f(a, b", "this '(' is never closed", "(");
    check_err(
        "f(a, [b)",
        "expected ']' to close the '[' at line 1, column 6, but found ')'",
        ")",
    );
    check_err("a = 1)", "unexpected ')'", ")");
    check_err("[a\n b]", "expected ',' or ']', found 'b'", "b");
    check_err("(a b)", "expected ')' to close the '(', found 'b'", "b");
    check_err(
        "for x in xs\n{ }",
        "expected '{' to start the loop body, found the end of the line",
        "",
    );
    check_err(
        "if x\n{}",
        "expected '{' to start the body of 'if', found the end of the line",
        "",
    );
    check_err(
        "grad = 2",
        "'grad' is a keyword and cannot be used as a name; try 'grad_'",
        "grad",
    );
    check_err(
        "x = for + 1",
        "'for' is a keyword and cannot be used as a name; try 'for_'",
        "for",
    );
    check_err(
        "y = 12. + 1",
        "a number cannot end with '.'; write '12' or '12.0'",
        "12.",
    );
    check_err(
        "print \"a\\qb\"",
        "unknown escape '\\q' in string; write '\\\\' for a backslash",
        "\\q",
    );
    check_err("a < b < c", "comparisons cannot be chained", "<");
    assert_eq!(
        parse_err("a < b < c").help().as_deref(),
        Some("write 'a < b and b < c'")
    );
    check_err("3 = a", "cannot assign to a number", "3");
    check_err("a + b = 1", "cannot assign to an expression", "a + b");
    check_err("f(x) = 1", "cannot assign to a function call", "f(x)");
    assert_eq!(
        parse_err("f(x) = 1").help().as_deref(),
        Some("to define a function, write 'fn f(x) = …'")
    );
    check_err("print \"abc", "the string is never closed", "\"");
    check_err(
        "plot = 1",
        "'plot' is a keyword and cannot be used as a name; try 'plot_'",
        "plot",
    );
    check_err(
        "x = 2y",
        "a number cannot be followed directly by a name, as in '2y'",
        "2y",
    );
    check_err("x = 1e999", "the number '1e999' is too large", "1e999");
    check_err("x = 1e", "the exponent of the number '1e' has no digits", "1e");
    check_err("x = a @ b", "unexpected character '@'", "@");
    check_err("a..b..c", "ranges cannot be chained", "..");
    check_err(
        "x.",
        "expected an attribute name after '.', found the end of the input",
        "",
    );
    check_err("dot L > l", "expected a file path in quotes after '>', found 'l'", "l");
    check_err("for x xs {}", "expected 'in' after the loop variable, found 'xs'", "xs");
    check_err("fn f(x) 3", "expected '=' or '{' after the parameters, found '3'", "3");
    check_err("else {}", "unexpected 'else'", "else");
    check_err("print a < b", "unexpected '<'", "<");
    check_err(
        "a b",
        "expected an operator or the end of the statement, found 'b'",
        "b",
    );
    check_err("a < b = 1", "unexpected '='", "=");
    check_err("x = !a", "unexpected character '!'", "!");
    check_err(
        "zero_grad = 1",
        "'zero_grad' is a keyword and cannot be used as a name; try 'zero_grad_'",
        "zero_grad",
    );
    check_err(
        "fn grad(x) = x",
        "'grad' is a keyword and cannot be used as a name; try 'grad_'",
        "grad",
    );
    check_err("for x in xs { y } else {}", "unexpected 'else'", "else");
    check_err("{ x = 1 }", "unexpected '{'", "{");
    check_err("x = [1, 2 3]", "expected ',' or ']', found '3'", "3");
    assert_eq!(
        parse_err("x = [1, 2 3]").help().as_deref(),
        Some("the '[' is at line 1, column 5")
    );
    check_err("if x {} else y", "expected '{' or 'if' after 'else', found 'y'", "y");
    check_err("check L eps 1", "expected '=' after the option name, found '1'", "1");
    check_err("x = a.5", "expected an attribute name after '.', found '5'", "5");
    check_err("\"s\" = 1", "cannot assign to a string", "\"s\"");
    // Errors in later lines point at the right place.
    check_err(
        "a = 1\nb = (a +\n  )\n",
        "expected an expression after '+', found ')'",
        ")",
    );
}

#[test]
fn is_incomplete_detects_open_brackets_and_strings() {
    assert!(is_incomplete("for k in 0..50 {"));
    assert!(is_incomplete("xs = [1,\n 2,"));
    assert!(is_incomplete("f("));
    assert!(is_incomplete("print \"abc"));
    assert!(!is_incomplete("print \"(\""));
    assert!(!is_incomplete("x = 1 # ("));
    assert!(!is_incomplete("x = (1))"));
    assert!(!is_incomplete("x = 1"));
    assert!(!is_incomplete(""));
}

// ----- robustness -----

/// Runs `f` on a thread with the default 2 MiB stack of test threads.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    let handle = std::thread::Builder::new().stack_size(2 * 1024 * 1024).spawn(f);
    match handle.map(|h| h.join()) {
        Ok(Ok(())) => {}
        Ok(Err(panic)) => std::panic::resume_unwind(panic),
        Err(e) => panic!("could not spawn a thread: {e}"),
    }
}

#[track_caller]
fn rejects(source: String) -> ParseError {
    match parse_program(&source, 0) {
        Ok(_) => panic!("a {} byte hostile input parsed", source.len()),
        Err(e) => e,
    }
}

const N: usize = 100_000;

#[test]
fn deep_parentheses_are_rejected() {
    on_small_stack(|| {
        let source = format!("x = {}1{}", "(".repeat(N), ")".repeat(N));
        assert!(matches!(rejects(source), ParseError::NestingTooDeep { .. }));
        // At the limit, it parses.
        let n = MAX_NESTING;
        parse(&format!("x = {}1{}", "(".repeat(n), ")".repeat(n)));
        parse(&format!("x = {}1{}", "[".repeat(n), "]".repeat(n)));
        parse(&format!("x = {}1{}", "-(".repeat(n / 2), ")".repeat(n / 2)));
        parse(&format!("x = {}1{}", "f(".repeat(n), ")".repeat(n)));
    });
}

#[test]
fn deep_brackets_and_blocks_are_rejected() {
    on_small_stack(|| {
        let source = format!("x = {}1{}", "[".repeat(N), "]".repeat(N));
        assert!(matches!(rejects(source), ParseError::NestingTooDeep { .. }));
        let source = format!("{}x = 1{}", "if x {\n".repeat(N), "\n}".repeat(N));
        assert!(matches!(rejects(source), ParseError::NestingTooDeep { .. }));
        let source = format!("{}x = 1", "if x {\n".repeat(N));
        assert!(matches!(rejects(source), ParseError::NestingTooDeep { .. }));
        let n = MAX_NESTING;
        parse(&format!("{}x = 1{}", "for x in y {\n".repeat(n), "\n}".repeat(n)));
    });
}

#[test]
fn long_operator_chains_are_rejected() {
    on_small_stack(|| {
        let e = rejects(format!("x = {}a", "-".repeat(N)));
        assert!(matches!(e, ParseError::OperatorChainTooLong { .. }));
        let e = rejects(format!("x = {}a", "not ".repeat(N)));
        assert!(matches!(e, ParseError::OperatorChainTooLong { .. }));
        let e = rejects(format!("x = a{}", " ** a".repeat(N)));
        assert!(matches!(e, ParseError::OperatorChainTooLong { .. }));
        let e = rejects(format!("x = a{}", " ^ -a".repeat(N)));
        assert!(matches!(e, ParseError::OperatorChainTooLong { .. }));
        let e = rejects(format!("x = a{}", " + a".repeat(N)));
        assert!(matches!(e, ParseError::ChainTooLong { .. }));
        let e = rejects(format!("x = a{}", ".b".repeat(N)));
        assert!(matches!(e, ParseError::TooDeep { .. }));
        let e = rejects(format!("if a {{}}{}", " else if b {}".repeat(N)));
        assert!(matches!(e, ParseError::TooDeep { .. }));
        // Up to the limits, it parses.
        parse(&format!("x = {}a", "-".repeat(MAX_NESTING)));
        parse(&format!("x = a{}", " ** a".repeat(MAX_NESTING)));
        parse(&format!("x = a{}", " + a".repeat(MAX_DEPTH - 10)));
        // A flat chain is not nesting: one at the limit of chains parses and drops.
        parse(&format!("x = a{}", " + a * b".repeat(MAX_CHAIN)));
        // Nesting inside a chain still counts.
        let nested = format!("x = a{}", " + (a".repeat(MAX_NESTING) + &")".repeat(MAX_NESTING));
        parse(&nested);
        // A long chain split by other operators is fine.
        parse(&format!("x = a{}", " ** a + a".repeat(2 * MAX_NESTING)));
        parse(&format!("x = [{}]", "-a, ".repeat(10 * MAX_NESTING)));
    });
}

#[test]
fn worst_legal_nesting_fits_a_small_stack() {
    on_small_stack(|| {
        // Blocks, calls and an operator chain, each at its limit, on one path.
        let n = MAX_NESTING;
        let blocks = n / 4;
        let calls = n - blocks - 1;
        let source = format!(
            "{}x = {}{}a{}{}",
            "if x {\n".repeat(blocks),
            "f(".repeat(calls),
            "-".repeat(n),
            ")".repeat(calls),
            "\n}".repeat(blocks)
        );
        parse(&source);
        let source = format!(
            "x = {}{}a{}",
            "f(".repeat(n - 1),
            "- a ** ".repeat(n / 2),
            ")".repeat(n - 1)
        );
        parse(&source);
    });
}

#[test]
fn deep_but_legal_trees_can_be_dropped_and_compared() {
    on_small_stack(|| {
        let source = format!("x = a{}", " + a".repeat(MAX_DEPTH - 10));
        let program = parse(&source);
        assert_eq!(program.clone(), program);
    });
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_strings_never_panic(source in any::<String>()) {
            let _ = parse_program(&source, 0);
            let _ = is_incomplete(&source);
        }

        #[test]
        fn token_soup_never_panics(parts in proptest::collection::vec(
            prop::sample::select(vec![
                "a", "x1", "grad", "wrt", "for", "in", "if", "else", "fn", "not", "and", "or",
                "print", "check", "eps", "=", "==", "+=", "<", ">", "~=", "..", "+", "-", "*",
                "**", "^", "/", "(", ")", "[", "]", "{", "}", ",", ".", ";", "\n", " ", "1",
                "2.5", ".5", "1e-3", "12.", "\"s\"", "\"", "#", "\\", "true", "return", "plot",
            ]),
            0..40,
        )) {
            let source = parts.concat();
            let _ = parse_program(&source, 7);
            let _ = is_incomplete(&source);
        }

        #[test]
        fn errors_point_inside_the_source(parts in proptest::collection::vec(
            prop::sample::select(vec!["a", "(", ")", "[", "]", "{", "}", "+", "-", "=", "\n", "1", ",", "if", "for", "x.", "in"]),
            0..30,
        )) {
            let source = parts.concat();
            if let Err(e) = parse_program(&source, 0) {
                let span = e.span();
                prop_assert!(span.start <= span.end && span.end <= source.len(), "{e}: {span:?}");
                prop_assert!(!e.to_string().contains("Rule"), "pest leaked into {e}");
            }
        }
    }
}
