L.grad = 1
d.grad = (f.data * L.grad
