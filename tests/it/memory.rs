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
    let (long, _) = run_ok(&training(std::env::var("MG_STEPS").ok().and_then(|s| s.parse().ok()).unwrap_or(2000)));
    eprintln!("slots short {} long {} live {}", short.graph().slot_count(), long.graph().slot_count(), long.graph().live_count());
    assert!(long.graph().slot_count() <= 2 * mgrad::interpreter::COLLECT_AFTER);
}
