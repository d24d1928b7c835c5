# moons — micrograd's demo: a binary classifier on the "two moons" dataset.
#
# Two interleaving half circles of points, one labelled -1 and the other 1.
# No straight line separates them, so the network has to learn a curved
# boundary. This follows micrograd's demo.ipynb: 100 points, an MLP with two
# hidden layers of 16 relu neurons, a max-margin (SVM) loss with L2
# regularisation, and 100 steps of SGD with a decaying learning rate.
# Run: cargo run --release -- examples/moons.mg

seed 1337   # fixes the noise in the data and the initial weights
pi = 3.141592653589793

# --- The data, as sklearn's make_moons(n_samples=100, noise=0.1) ------------
# mg's only random source is uniform(lo, hi). A standard normal sample comes
# from two uniform ones by the Box–Muller transform. log(0) is -infinity, so
# u1 must be above 0 (uniform(0, 1) can return 0 itself).
fn gauss() {
  u1 = uniform(0, 1)
  if u1 <= 0 { u1 = 1e-300 }
  u2 = uniform(0, 1)
  return sqrt(-2 * log(u1)) * cos(2 * pi * u2)
}
noise = 0.1

# 50 points per moon at angles t evenly spaced over [0, π] (numpy's linspace).
# Outer moon: (cos t, sin t), class -1. Inner moon: (1 - cos t, 1 - sin t - 0.5),
# class 1 — micrograd turns sklearn's 0/1 labels into -1/1 with y*2 - 1.
# mg lists cannot be concatenated, so start with 100 placeholders and fill
# them in: point i of the outer moon at i, of the inner moon at 50 + i.
m = 50
X = [[0, 0] for i in range(2 * m)]
y = [0 for i in range(2 * m)]
for i in 0..m {
  t = pi * i / (m - 1)
  X[i] = [cos(t) + noise * gauss(), sin(t) + noise * gauss()]
  y[i] = -1
  X[m + i] = [1 - cos(t) + noise * gauss(), 1 - sin(t) - 0.5 + noise * gauss()]
  y[m + i] = 1
}
assert len(X) == 100 and sum(y) == 0

# --- The model ---------------------------------------------------------------
# 2 inputs -> 16 relu -> 16 relu -> 1 linear output: a score whose sign is
# the predicted class. 337 parameters.
model = MLP(2, [16, 16, 1], act="relu")
assert len(parameters(model)) == 337

# --- The loss ----------------------------------------------------------------
# Max-margin (SVM) loss: relu(1 - y*score) is 0 once a point is on the right
# side with a margin of at least 1, and grows linearly the further it is from
# that. Plus a small L2 penalty on the weights that keeps them from growing
# without need. Accuracy counts the points whose score has the sign of y.
fn evaluate() {
  scores = [model(x) for x in X]
  losses = [relu(1 - yi * si) for (yi, si) in zip(y, scores)]
  data_loss = mean(losses)
  reg_loss = 1e-4 * sum([p * p for p in parameters(model)])
  total = data_loss + reg_loss
  right = [1 for (yi, si) in zip(y, scores) if (si > 0) == (yi > 0)]
  return [total, len(right) / len(y)]
}

# --- Training ----------------------------------------------------------------
# Each step: forward pass over all 100 points, zero the grads, back-propagate,
# and take a step downhill with a learning rate decaying from 1.0 to 0.109.
for k in 0..100 {
  result = evaluate()
  loss = result[0]
  accuracy = result[1]
  zero_grad model
  backward loss
  lr = 1.0 - 0.9 * k / 100
  for p in parameters(model) { p.data -= lr * p.grad }
  if k % 10 == 0 { print "step", k, "loss", loss.data, "accuracy", accuracy }
}

# Where the model ended up, after the last update.
result = evaluate()
loss = result[0]
accuracy = result[1]
print "final: loss", loss.data, "accuracy", accuracy
# micrograd's demo reaches 100% on its data; so does this run (seed 1337,
# the first tried). The separating boundary curves between the moons.
assert accuracy == 1, "every point classified correctly"
assert loss.data < 0.05
