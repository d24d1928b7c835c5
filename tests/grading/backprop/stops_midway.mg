# Three right, then a runtime error: what it did not reach scores 0.
L.grad = 1
d.grad = f.data * L.grad
f.grad = d.data * L.grad
e.grad = d.grad / 0
c.grad = d.grad
