# Right down to d and f, then stops.
L.grad = 1
d.grad = f.data * L.grad
f.grad = d.data * L.grad
