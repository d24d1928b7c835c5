# 05 — Why zero_grad matters.
#
# backward accumulates (+=) into every grad, which is what makes a node used
# twice come out right (example 04). The flip side: grads left over from an
# earlier backward pass are added to the new ones. Training calls backward once
# per step, so every step must start from zero grads.
# Run: cargo run --release -- examples/05_zero_grad.mg

# --- backward twice ----------------------------------------------------------
x = 3.0
y = x * x               # dy/dx = 2x = 6
backward y
print "after one backward:  x.grad =", x.grad
assert x.grad == 6
backward y              # the same pass again, adding onto the old grads
print "after two backwards: x.grad =", x.grad
assert x.grad == 12, "doubled: 6 + 6"

# `zero_grad` sets every grad to 0 (`zero_grad y` only those of y's graph);
# then one backward pass gives the right answer again.
zero_grad
backward y
print "zero_grad, backward: x.grad =", x.grad
assert x.grad == 6
# (`grad y` does both at once: it zeroes y's graph before back-propagating.)

# --- In a training loop ------------------------------------------------------
# The lecture's tiny dataset: four inputs with three features, one target each.
# The targets are ±0.5 rather than the lecture's ±1: with ±1 the runaway
# weights of the buggy loop push tanh onto exactly ±1 and the loss to 0, which
# would hide the bug. Inside tanh's range it shows plainly.
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [0.5, -0.5, -0.5, 0.5]
steps = 30
lr = 0.05

# The right loop: forward, zero_grad, backward, update.
seed 1
good = MLP(3, [4, 4, 1])
for k in 0..steps {
  ypred = [good(x) for x in xs]
  loss = sum([(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)])
  zero_grad good
  backward loss
  for p in parameters(good) { p.data -= lr * p.grad }
}
# The loss after the last update:
loss_good = sum([(good(x) - ygt)**2 for (x, ygt) in zip(xs, ys)])

# The same network (same seed, so the same initial weights), the same data and
# steps, but without `zero_grad`: each step's grads are the sum of all the
# gradients so far, so the steps keep growing and overshoot.
seed 1
bad = MLP(3, [4, 4, 1])
for k in 0..steps {
  ypred = [bad(x) for x in xs]
  loss = sum([(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)])
  backward loss
  for p in parameters(bad) { p.data -= lr * p.grad }
}
loss_bad = sum([(bad(x) - ygt)**2 for (x, ygt) in zip(xs, ys)])

print "loss after", steps, "steps with zero_grad:   ", loss_good.data
print "loss after", steps, "steps without zero_grad:", loss_bad.data
assert loss_good < loss_bad, "zeroing the grads trains better"
assert loss_good < 0.01 and loss_bad > 0.01
