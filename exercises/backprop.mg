# Backprop by hand on the lecture's first expression, L = d * f.
# Students set .grad on every node themselves; autograd is forbidden.

exercise "Backprop by hand: the lecture's L"

setup {
  a = 2.0; b = -3.0; c = 10.0; f = -2.0
  e = a*b; d = e + c; L = d*f
}

reference {
  backward L
}

forbid grad, backward, check, explain, derivative

question "dL/dL" L.grad points=1
question "dL/dd" d.grad points=1
question "dL/df" f.grad points=1
question "dL/de" e.grad points=1
question "dL/dc" c.grad points=1
question "dL/da" a.grad points=2 hidden
question "dL/db" b.grad points=2 hidden
