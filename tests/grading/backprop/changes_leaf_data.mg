# Right answers, but it nudges a leaf's data on the way (reported, not penalised).
a.data += 0.01
L.grad = 1
d.grad = -2
f.grad = 4
e.grad = -2
c.grad = -2
a.grad = 6
b.grad = -4
