# 07 — Pictures: plots, the graph as micrograd draws it, and backward step by step.
#
# This script writes files where it runs, so run it in a folder of its own:
#   mkdir -p /tmp/mg-pictures && cd /tmp/mg-pictures && mgrad /path/to/examples/07_pictures.mg
# Open the .svg and .html files in a browser. The pages need no network.

# --- Plots -------------------------------------------------------------------
# The lecture's first picture: the parabola f(x) = 3x² - 4x + 5 on -5..5.
fn f(x) = 3*x**2 - 4*x + 5
plot f                      # in the terminal: a text chart
plot f > "parabola.svg"     # a picture, in the notebook's (matplotlib's) look
# tanh squashes any number into (-1, 1): the activation of the lecture's neuron.
plot tanh > "tanh.svg"
# Several functions on one plot, over a range of your choice.
plot tanh, sigmoid, relu from -3 to 3 > "activations.svg"

# --- The graph ---------------------------------------------------------------
# The lecture's expression, drawn as micrograd's draw_dot draws it: left to right,
# a record per value (label | data | grad), a small circle per operation.
a = 2.0; b = -3.0; c = 10.0; g = -2.0
e = a*b; d = e + c; L = d * g
grad L
assert a.grad == 6 and b.grad == -4
dot L > "lecture.svg"
dot L > "lecture.html"          # the same picture; hover a value for its data and grad
explain L > "lecture_steps.html"  # backward one chain-rule step at a time

# The lecture's neuron: o = tanh(x1*w1 + x2*w2 + b).
x1 = 2.0; x2 = 0.0; w1 = -3.0; w2 = 1.0; bias = 6.8813735870195432
x1w1 = x1*w1; x2w2 = x2*w2; x1w1x2w2 = x1w1 + x2w2
n = x1w1x2w2 + bias
o = tanh(n)
grad o
dot o > "neuron.svg"
explain o > "neuron_steps.html"

# A bigger graph: one relu neuron on 16 relu neurons, as in the moons MLP
# (examples/moons.mg), on one input point: about 300 values and operations.
seed 3
hidden = Layer(2, 16, act="relu")([2.0, -1.0])
out = Neuron(16, act="relu")(hidden)
assert out.data > 0      # a live neuron, so its grads are not all 0
backward out
dot out > "moons_neuron.svg"

# --- A loss curve ------------------------------------------------------------
# The lecture's MLP trained for 30 steps; the loss after each step, against the step.
seed 1
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]
model = MLP(3, [4, 4, 1])
losses = []
for k in 0..30 {
  ypred = [model(x) for x in xs]
  loss = sum([(yout - ygt)**2 for (ygt, yout) in zip(ys, ypred)])
  losses = losses + [loss.data]
  zero_grad model
  backward loss
  for p in parameters(model) { p.data -= 0.05 * p.grad }
}
assert losses[29] < losses[0]
plot losses
plot losses > "losses.svg"
