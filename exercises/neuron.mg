# The lecture's tanh neuron, backpropagated by hand: o = tanh(x1*w1 + x2*w2 + b).
# w2's gradient is 0 (x2 is 0), so the question about it is worth nothing alone:
# `mgrad grade --check` warns that an empty submission scores it. It is hidden and
# asked together with x2's, which is not 0.

exercise "The tanh neuron, by hand"

setup {
  x1 = 2.0; x2 = 0.0
  w1 = -3.0; w2 = 1.0
  b = 6.8813735870195432
  x1w1 = x1*w1; x2w2 = x2*w2
  x1w1x2w2 = x1w1 + x2w2
  n = x1w1x2w2 + b
  o = tanh(n)
}

reference {
  backward o
}

question "do/dn" n.grad points=2
question "do/db" b.grad points=1
question "do/dx1" x1.grad points=1
question "do/dw1" w1.grad points=1
question "do/dx2 and do/dw2" x2.grad + 10 * w2.grad points=1 hidden
