# The chain rule, from L back to the leaves.
a = 2.0; b = -3.0; c = 10.0; f = -2.0
e = a*b; d = e + c; L = d*f

L.grad = 1
d.grad = f.data * L.grad      # L = d * f
f.grad = d.data * L.grad
e.grad = 1 * d.grad           # d = e + c
c.grad = 1 * d.grad
a.grad = b.data * e.grad      # e = a * b
b.grad = a.data * e.grad
