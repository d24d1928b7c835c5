# Only the leaves, and a and b swapped (a.grad takes a's own data).
L.grad = 1
d.grad = -2
f.grad = 4
a.grad = a.data * -2
b.grad = b.data * -2
