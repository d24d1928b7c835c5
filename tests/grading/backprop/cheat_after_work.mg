# Most of it by hand, then backward to fill in the rest: still forbidden.
L.grad = 1
d.grad = f.data * L.grad
f.grad = d.data * L.grad
backward L
