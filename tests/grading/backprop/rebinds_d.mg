# Rebuilds d from other numbers: the question reads this d, and the feedback says so.
d = e + 11
L.grad = 1
d.grad = -2
f.grad = 4
e.grad = -2
c.grad = -2
a.grad = 6
b.grad = -4
