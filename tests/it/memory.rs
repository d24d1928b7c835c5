//! Bounded memory: a training loop reclaims the graphs of finished steps.

use super::run_ok;

fn training(steps: usize) -> String {
    format!(
        "seed 1
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]
n = MLP(3, [4, 4, 1])
for k in 0..{steps} {{
  ypred = [n(x) for x in xs]
  loss = sum([(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)])
  zero_grad n
  backward loss
  for p in parameters(n) {{ p.data -= 0.05 * p.grad }}
}}
"
    )
}

#[test]
fn a_long_training_loop_keeps_its_graph_small() {
    let (short, _) = run_ok(&training(100));
    let (long, _) = run_ok(&training(3000));
    let (short_slots, long_slots) = (short.graph().slot_count(), long.graph().slot_count());
    // 30 times the steps, and the arena is no bigger than the short run's (within 20%).
    assert!(
        long_slots * 10 <= short_slots * 12,
        "slots: 100 steps {short_slots}, 3000 steps {long_slots}"
    );
    assert!(
        long_slots <= 2 * mgrad::interpreter::COLLECT_AFTER,
        "slots {long_slots}"
    );
    // What is alive at the end is the last step's graph and the model, not 3000 steps.
    assert!(long.graph().live_count() < 2 * mgrad::interpreter::COLLECT_AFTER);
}

#[test]
fn collection_keeps_everything_a_program_can_still_reach() {
    // Nodes held only by a list, a closure, a model and a running loop's list all survive
    // many collections, and their gradients are still right.
    let (session, host) = run_ok(
        "keep = [2.0 * 3.0]
a = 5; b = a * a
fn make(k) { fn f(x) = k * x; return f }
times_b = make(b)
m = Neuron(1)
for x in [a * 2, a * 3] {
  for k in 0..30000 { junk = a * k }
  total = times_b(x)
}
backward total
print b.data, total.data, a.grad, len(parameters(m))",
    );
    let Some(mgrad::output::Output::Print(print)) = host.outputs.last() else {
        panic!()
    };
    use mgrad::output::Shown::Number;
    // total = b * (a * 3) = 3a³, d/da = 9a² = 225.
    assert_eq!(print.values, [Number(25.0), Number(375.0), Number(225.0), Number(2.0)]);
    assert!(session.graph().slot_count() < 3 * mgrad::interpreter::COLLECT_AFTER);
}

#[test]
fn a_training_loop_runs_in_an_arena_of_two_steps() {
    // A step builds about 17,000 nodes (more than a collection waits for), and the
    // previous step's graph is still held by the names while the next is built: the
    // arena needs two steps' graphs, and a collection at the start of each pass keeps
    // it there (waiting for twice what the last collection kept, it reached six).
    let program = |steps: usize| {
        format!(
            "xs = [[0.1 * k, 1 - 0.05 * k] for k in 0..25]
ys = [k % 2 * 2 - 1 for k in 0..25]
n = MLP(2, [16, 16, 1], act=\"relu\")
for step in 0..{steps} {{
  scores = [n(x) for x in xs]
  loss = sum([relu(1 + -y * s) for (y, s) in zip(ys, scores)])
  zero_grad n
  backward loss
  for p in parameters(n) {{ p.data -= 0.01 * p.grad }}
}}
"
        )
    };
    let (one, _) = run_ok(&program(1));
    let step_nodes = one.graph().live_count() - 337;
    assert!(
        step_nodes > mgrad::interpreter::COLLECT_AFTER,
        "{step_nodes} nodes a step"
    );
    let (session, _) = run_ok(&program(30));
    let slots = session.graph().slot_count();
    assert!(
        slots <= 2 * step_nodes + step_nodes / 10 + 337,
        "{slots} slots for steps of {step_nodes} nodes"
    );
}

/// The list bound to `name` (its allocation, to tell a list grown in place from a copy).
fn list_of(session: &mgrad::interpreter::Session, name: &str) -> std::rc::Rc<mgrad::value::Items> {
    match session.get(name) {
        Some(mgrad::value::Value::List(items)) => std::rc::Rc::clone(items),
        other => panic!("'{name}' is not a list: {other:?}"),
    }
}

#[test]
fn adding_to_a_list_bound_to_one_name_grows_it_in_place() {
    use mgrad::interpreter::{Engine, Session};
    for engine in [Engine::Compiled, Engine::TreeWalker] {
        let mut session = Session::new();
        session.set_engine(engine);
        let mut host = super::Collect::default();
        let mut run = |session: &mut Session, source: &str| {
            session.run_script("test.mg", source, &mut host).expect("runs");
        };
        // A loop (compiled) and single statements (the tree walker), `+` and `+=`: each
        // adds to the list in place, so a loop of them is linear, not quadratic. A
        // list grown in place has room to spare (its capacity doubles); a copy is
        // made exactly as long as the sum.
        run(
            &mut session,
            "xs = [0]\nfor k in 1..2000 { xs = xs + [k] }\nxs += [2000]\nxs = xs + [2001, 2002]",
        );
        let grown = list_of(&session, "xs");
        assert_eq!(grown.len(), 2003);
        assert!(grown.capacity() > grown.len(), "{engine:?}: the list was copied");
        assert!(
            grown
                .iter()
                .enumerate()
                .all(|(k, x)| matches!(x, mgrad::value::Value::Num(v) if *v == k as f64))
        );
        drop(grown);
        // A list another name holds is copied, and the other name keeps its list.
        run(&mut session, "ys = xs\nxs = xs + [1]\nzs = [7]\nzs = zs + zs");
        assert_eq!(list_of(&session, "xs").capacity(), 2004, "{engine:?}: a copy");
        assert_eq!(list_of(&session, "ys").len(), 2003);
        assert_eq!(list_of(&session, "xs").len(), 2004);
        assert_eq!(list_of(&session, "zs").len(), 2);
    }
}
