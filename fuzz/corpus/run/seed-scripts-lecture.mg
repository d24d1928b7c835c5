# Karpathy's lecture graph, L = d * f, checked three ways.
a = 2.0
b = -3.0
c = 10.0
e = a * b
d = e + c
f = -2.0
L = d * f
assert L.data == -8

grad L
assert L.grad == 1
assert f.grad == 4     # dL/df = d
assert d.grad == -2    # dL/dd = f
assert e.grad == -2 and c.grad == -2   # '+' routes the gradient unchanged
assert a.grad == 6     # dL/da = dL/de * de/da = -2 * b
assert b.grad == -4

check L

# Nudge every leaf along its gradient: L goes up.
a.data += 0.01 * a.grad
b.data += 0.01 * b.grad
c.data += 0.01 * c.grad
f.data += 0.01 * f.grad
e = a * b
d = e + c
L = d * f
assert L.data == -7.286496
